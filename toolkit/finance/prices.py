"""Each gemeente's own cost per client of youth care: Iv3 2023 realised lasten / CBS youths with youth care.

Choices (written down because the sources leave them open):
- Numerator: the youth-care taakvelden of the Iv3 2023 jaarrekening (see `_taakvelden`), in euros of 2023.
  Youth teams and access (6.2) are not in it.
- Denominator: CBS youths with youth care in natura of the years next to 2023 that the panel holds for the
  gemeente: the mean of 2022 and 2024 where both exist (2023 lies between them; CBS publishes no 2023
  figure in the shared data), otherwise the one that exists. The count is used only as a denominator; no
  2023 count is published.
- Plausibility: a gemeente's own ratio is used when it has at least `MIN_CLIENTS` clients and lies inside
  the 1st-99th percentile band of all own ratios and within a factor `MAX_RATIO` of its class median.
  Otherwise (implausible or missing) it is shrunk to the median of gemeenten of the same size and urbanity
  class (gemeenteklassen 2025; with fewer than `MIN_CLASS` members: the size class; then the nation), and
  its `price_status` says so. Every price carries its `source` text.
"""

from __future__ import annotations

import polars as pl

from toolkit.finance.embedded import load

__all__ = ["PRICE_YEAR", "MIN_CLIENTS", "MAX_RATIO", "MIN_CLASS", "care_type_prices", "client_counts",
           "gemeente_prices", "national_ratio", "STATUS_OWN", "STATUS_IMPLAUSIBLE", "STATUS_MISSING"]

PRICE_YEAR = 2023
MIN_CLIENTS = 50
MAX_RATIO = 2.0
MIN_CLASS = 3
COUNT_YEARS = (2022, 2024)
STATUS_OWN = "own"
STATUS_IMPLAUSIBLE = "class_median_implausible"
STATUS_MISSING = "class_median_missing"


def client_counts(panel_frame: pl.DataFrame) -> pl.DataFrame:
    """gemeente_code (and NL00), clients (mean of the years used) and which years were used.

    The years next to 2023 (2022, 2024) that the panel has; a panel cut off before 2022 (`--as-of 2021`)
    has none, and then no Iv3 2023 price is made (the forecast uses configs/prices.toml), so no later year
    leaks into a backtest.
    """
    rows = panel_frame.filter(pl.col("level").is_in(["gemeente", "land"]), pl.col("youth_care_clients").is_not_null(),
                              pl.col("year").is_in(COUNT_YEARS))
    return rows.group_by(pl.col("region_code").alias("gemeente_code")).agg(
        pl.col("youth_care_clients").mean().alias("clients"),
        pl.col("year").sort().cast(pl.String).str.join("+").alias("clients_years"),
    )


def _lasten(year: int = PRICE_YEAR) -> pl.DataFrame:
    iv3 = load("iv3").filter(pl.col("year") == year, pl.col("care_type").is_not_null())
    return iv3.group_by("gemeente_code").agg(pl.col("lasten_eur").sum())


def national_ratio(panel_frame: pl.DataFrame) -> float:
    """Iv3 2023 youth lasten of the Netherlands / CBS youths with youth care (same year rule as gemeenten)."""
    counts = client_counts(panel_frame.filter(pl.col("level") == "gemeente"))
    gem = _lasten().filter(pl.col("gemeente_code") != "NL00").join(counts, on="gemeente_code", how="left")
    years = sorted({y for ys in counts["clients_years"].to_list() for y in ys.split("+")})
    per_year = [counts.filter(pl.col("clients_years").str.contains(y))["clients"].sum() for y in years]
    clients = sum(per_year) / len(per_year) if per_year else 0.0
    return float(gem["lasten_eur"].sum() / clients) if clients > 0 else float("nan")


def _class_medians(frame: pl.DataFrame, ok: pl.Expr) -> pl.DataFrame:
    own = pl.when(ok).then(pl.col("raw_eur"))
    out = frame.with_columns(
        own.median().over("size_class", "urbanity_class").alias("m_class"),
        own.count().over("size_class", "urbanity_class").alias("n_class"),
        own.median().over("size_class").alias("m_size"),
        own.count().over("size_class").alias("n_size"),
    )
    national = out.filter(ok)["raw_eur"].median()
    return out.with_columns(
        pl.when(pl.col("n_class") >= MIN_CLASS).then(pl.col("m_class"))
        .when(pl.col("n_size") >= MIN_CLASS).then(pl.col("m_size")).otherwise(pl.lit(national))
        .alias("class_median_eur"),
        pl.when(pl.col("n_class") >= MIN_CLASS).then(pl.format("{} / {}", "size_class", "urbanity_class"))
        .when(pl.col("n_size") >= MIN_CLASS).then(pl.format("{} (class too small: size only)", "size_class"))
        .otherwise(pl.lit("all gemeenten (class too small)"))
        .alias("price_class"),
        pl.when(pl.col("n_class") >= MIN_CLASS).then(pl.lit("class"))
        .when(pl.col("n_size") >= MIN_CLASS).then(pl.lit("size")).otherwise(pl.lit("all")).alias("price_class_kind"),
    )


def gemeente_prices(panel_frame: pl.DataFrame) -> pl.DataFrame:
    """One row per gemeente of the Iv3 data: its price per client (see the module docstring)."""
    base = load("gemeenten").join(_lasten(), on="gemeente_code", how="left").join(
        client_counts(panel_frame), on="gemeente_code", how="left")
    base = base.with_columns(
        pl.when((pl.col("clients") >= MIN_CLIENTS) & (pl.col("lasten_eur") > 0))
        .then(pl.col("lasten_eur") / pl.col("clients")).alias("raw_eur"))
    p01, p99 = base["raw_eur"].quantile(0.01, "linear"), base["raw_eur"].quantile(0.99, "linear")
    in_band = pl.col("raw_eur").is_between(p01, p99)
    base = _class_medians(base, in_band)
    plausible = in_band & (pl.col("raw_eur") / pl.col("class_median_eur")).is_between(1 / MAX_RATIO, MAX_RATIO)
    status = (pl.when(pl.col("raw_eur").is_null()).then(pl.lit(STATUS_MISSING))
              .when(plausible).then(pl.lit(STATUS_OWN)).otherwise(pl.lit(STATUS_IMPLAUSIBLE)))
    out = base.with_columns(status.alias("price_status")).with_columns(
        pl.when(pl.col("price_status") == STATUS_OWN).then(pl.col("raw_eur"))
        .otherwise(pl.col("class_median_eur")).alias("price_eur"),
        pl.lit(p01).alias("band_p01_eur"), pl.lit(p99).alias("band_p99_eur"),
    )
    return out.with_columns(_source().alias("price_source")).sort("gemeente_code")


def _source() -> pl.Expr:
    own = pl.format("CBS Iv3 2023 jaarrekening, youth-care lasten of {} (taakvelden 6.72-6.74, 6.82) / CBS youths "
                    "with youth care in natura {} ({})", "gemeente_name", "clients_years",
                    pl.col("clients").round(0).cast(pl.Int64))
    why = (pl.when(pl.col("price_status") == STATUS_MISSING)
           .then(pl.lit(f"is missing (no CBS client count, no Iv3 lasten, or fewer than {MIN_CLIENTS} clients)"))
           .otherwise(pl.lit(f"lies outside the plausible band (1st-99th percentile of all gemeenten, or off "
                             f"its class median by more than a factor {MAX_RATIO:g})")))
    shrunk = pl.format("median cost per client of gemeenten of class '{}' (CBS Iv3 2023 / CBS youths with youth "
                       "care); {}'s own figure {}", "price_class", "gemeente_name", why)
    return pl.when(pl.col("price_status") == STATUS_OWN).then(own).otherwise(shrunk)


MIN_TYPE_CLIENTS = 20
SRC_TYPE = {
    "jeugdhulp_met_verblijf": "Iv3 2023 lasten with residence / (CBS 2022 share of youths in care with residence "
                              "x youths with youth care 2022)",
    "jeugdbescherming": "Iv3 2023 lasten youth protection / (CBS 2022 % with protection / % with youth care x "
                        "youths 0-17 with youth care 2022)",
    "jeugdhulp_zonder_verblijf": "Iv3 2023 lasten without residence / all youths with youth care 2022 (an upper "
                                 "bound of the clients, so a lower bound of the cost per client)",
}


def care_type_prices(panel_frame: pl.DataFrame) -> pl.DataFrame:
    """Estimated cost per client per care type (gemeente_code incl. NL00, care_type, clients, price_eur, source).

    Clients per care type come from the CBS 2022 indicators (shares, not counts), so these are estimates for
    reading, not forecast prices; probation is left out (its share refers to youths 12-22, a base the panel
    lacks). A care type with fewer than `MIN_TYPE_CLIENTS` estimated clients has no price (missing).
    """
    p = panel_frame.filter(pl.col("level").is_in(["gemeente", "land"]), pl.col("year") == 2022)
    under_18 = pl.sum_horizontal("youth_care_clients_0_3", "youth_care_clients_4_11", "youth_care_clients_12_17")
    clients = p.select(
        pl.col("region_code").alias("gemeente_code"),
        (pl.col("pct_youth_jeugdhulp_residential") / 100 * pl.col("youth_care_clients"))
        .alias("jeugdhulp_met_verblijf"),
        (pl.col("pct_youth_protection") / pl.col("pct_youth_jeugdhulp") * under_18).alias("jeugdbescherming"),
        pl.col("youth_care_clients").alias("jeugdhulp_zonder_verblijf"),
    ).unpivot(index="gemeente_code", variable_name="care_type", value_name="clients")
    lasten = load("iv3").filter(pl.col("year") == PRICE_YEAR, pl.col("care_type").is_not_null()).group_by(
        "gemeente_code", "care_type").agg(pl.col("lasten_eur").sum())
    out = clients.join(lasten, on=["gemeente_code", "care_type"]).filter(
        pl.col("clients") >= MIN_TYPE_CLIENTS, pl.col("lasten_eur") > 0)
    return out.with_columns((pl.col("lasten_eur") / pl.col("clients")).alias("price_eur"),
                            pl.col("care_type").replace_strict(SRC_TYPE).alias("source")).sort(
        "gemeente_code", "care_type")
