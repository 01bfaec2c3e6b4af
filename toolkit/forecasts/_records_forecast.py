"""Forecasts per care type from the municipality's own register (its released, DP-noised yearly series).

With records, the gate releases children in care per wijk, gemeente, year and care type (the four CBS care
types and "all"), each with its 95% noise half-width (`accuracy_95`). Per region:
- level and trend (`_fits`): "all" children, and per care type its share of them (composition: "all" is the
  most exact release, the mix moves slowly; the share is carried at its smoothed level, SHARE_TREND = 0,
  since its trend was not forecastable on the backtests); each a weighted local linear trend on the log over the
  released years, weights = recency (half-life from HALF_LIVES) x 1 / (the cell's known noise variance on
  the log scale + a small process variance), so a noisy year counts less. A wijk's slope is shrunk to the
  gemeente's slope by empirical Bayes: the spread of true slopes between wijken is the spread of the fitted
  slopes minus their (known) sampling variance, so the noisier a wijk's series, the more it follows the
  gemeente. The trend is damped per year by a factor from DAMPINGS (0 = the smoothed level stays); the
  half-life and damping are chosen per care type on the gemeente's rolling-origin backtest (`_choose`).
- intervals: the rolling-origin backtest on the released series (origins from the register's third year):
  squared relative errors per horizon minus the known relative noise variance of the released target give
  the forecast error variance; it is never below the fit's own variance from the known noise, never
  narrower than at a shorter horizon and grows at least like a random walk; normal 80% and 95% bounds on
  the log scale.
- euros (volume x price, `_prices`, `_euros`): clients per care type x the gemeente's released cost per
  client of that care type over the register's last PRICE_YEARS years (one value for the whole gemeente,
  where the noise is small; years inverse-variance weighted by their known noise, each indexed to the
  latest year), indexed onwards as the prices file says. When that price's relative sd is above the
  policy's `max_price_relative_sd`, or it is withheld, the public price is used instead (configs/prices.toml
  [prices.<care_type>] when it exists, else the gemeente's own price from CBS Iv3 spending, else
  all_care_types); `price_source` and `flag` say so. Euros of "all": the region's
  children x the sum over care types of (its share of that care type over the released years x that type's
  price), the level scaled so that the gemeente's equals its released cost per client of all care types when
  that price is used (`_calibrated`). Euro bounds add the price's (and the share's) own uncertainty in
  quadrature.
Forecasts start the year after the register's latest released year. Nothing here reads records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from toolkit.forecasts._costs import ALL_CARE_TYPES, Price, Prices

__all__ = ["records_forecast", "fit_series", "RECORDS_GROWTH", "CARE_TYPES_ALL", "care_types_of"]

CARE_TYPES_ALL = ("all", "jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming",
                  "jeugdreclassering")
RECORDS_GROWTH = "records_trend"
HALF_LIVES = (2.0, 4.0)  # candidate recency half-lives (years); the backtest picks one per level and type
DAMPINGS = (0.0, 0.5, 0.85)  # candidate trend dampings; the backtest picks one per care type
MIN_YEARS = 3
SHARE_TREND = 0.0  # weight of the trend of a care type's share (0: the share stays at its smoothed level)
Z80, Z95 = 1.2816, 1.96
FLAG_FALLBACK = "price_fallback: released cost per client too noisy (relative sd {sd:.2f} > {limit}); public price used"


def _series(table: pl.DataFrame) -> pl.DataFrame:
    return (
        table.filter(pl.col("measure") == "clients", pl.col("provider").is_null())
        .select("region_code", "level", "year", "care_type", "value", "status", "accuracy_95")
        .with_columns(sd=pl.col("accuracy_95").cast(pl.Float64) / Z95)
    )


def fit_series(years: np.ndarray, values: np.ndarray, sd: np.ndarray, origin: int,
               half_life: float = 2.0) -> tuple[float, float, float, float]:
    """(log level at `origin`, slope, sd of the level, sd of the slope) of a weighted local linear trend on
    log counts; years after `origin` are ignored."""
    ok = (years <= origin) & np.isfinite(values) & (values > 0)
    x, v, s = years[ok].astype(float) - origin, values[ok].astype(float), sd[ok]
    log_sd2 = (s / v) ** 2 + 0.005**2  # the known noise, plus a small floor
    w = 0.5 ** (-x / half_life) / log_sd2
    if len(x) == 1:
        return float(np.log(v[0])), 0.0, float(np.sqrt(log_sd2[0])), 1.0
    design = np.c_[np.ones_like(x), x]
    xtwx = design.T @ (design * w[:, None])
    cov = np.linalg.pinv(xtwx)
    beta = cov @ (design.T @ (w * np.log(v)))
    # the weighting by recency inflates nothing; the variance of the fit is the sandwich with the noise
    meat = design.T @ (design * (w**2 * log_sd2)[:, None])
    var = cov @ meat @ cov
    return float(beta[0]), float(beta[1]), float(np.sqrt(var[0, 0])), float(np.sqrt(max(var[1, 1], 1e-12)))


def _damped(h: int, phi: float) -> float:
    return sum(phi**k for k in range(1, h + 1))


def _fit_rows(series: pl.DataFrame, origin: int, half_life: float) -> pl.DataFrame:
    rows = []
    for (region, level, care), part in series.filter(pl.col("year") <= origin).group_by(
        "region_code", "level", "care_type"
    ):
        part = part.sort("year")
        ok = part.filter(pl.col("status") == "ok", pl.col("value") > 0)
        last_ok = ok.height > 0 and int(ok["year"].max()) == origin
        if ok.height < MIN_YEARS or not last_ok:
            rows.append({"region_code": region, "level": level, "care_type": care, "fitted": False})
            continue
        lvl, slope, sd_l, sd_b = fit_series(ok["year"].to_numpy(), ok["value"].to_numpy(), ok["sd"].to_numpy(), origin,
                                             half_life)
        rows.append({"region_code": region, "level": level, "care_type": care, "fitted": True, "log_level": lvl,
                     "slope": slope, "sd_level": sd_l, "sd_slope": sd_b})
    return pl.DataFrame(rows, infer_schema_length=None)


def _shares(series: pl.DataFrame) -> pl.DataFrame:
    """Per region, year and care type: its share of the region's children of all care types, with the sd
    from the known noise of both cells; ok where both are ok and positive."""
    alls = series.filter(pl.col("care_type") == "all").select(
        "region_code", "year", a="value", a_sd="sd", a_status="status")
    share = pl.col("value") / pl.col("a")
    return series.filter(pl.col("care_type") != "all").join(alls, on=["region_code", "year"], how="inner").select(
        "region_code", "level", "year", "care_type",
        value=pl.when(pl.col("a") > 0).then(share),
        status=pl.when((pl.col("status") == "ok") & (pl.col("a_status") == "ok")).then(pl.lit("ok"))
        .otherwise(pl.lit("secret")),
        sd=(pl.col("sd") ** 2 + (share * pl.col("a_sd")) ** 2).sqrt() / pl.col("a"),
    )


def _fits(series: pl.DataFrame, origin: int, half_life: float = 2.0) -> pl.DataFrame:
    """Level and (shrunk) slope per region and care type. "all": the region's own series. A care type: the
    "all" fit plus the fit of the care type's share of the region's children (composition: the "all" series
    is the most exact release, the share moves slowly), so a wijk's growth of a care type is its growth of
    all children plus SHARE_TREND x the (shrunk) trend of that care type's share."""
    direct = _shrink(_fit_rows(series.filter(pl.col("care_type") == "all"), origin, half_life))
    shares = _shrink(_fit_rows(_shares(series), origin, half_life))
    if not shares["fitted"].any():  # no care-type share long enough: the care types are there, unfitted
        unfitted = shares.select("region_code", "level", "care_type", fitted=pl.lit(False))
        return pl.concat([direct, unfitted], how="diagonal_relaxed")
    a = direct.select("region_code", a_fitted="fitted", a_ll="log_level", a_su="slope_used", a_sdl="sd_level",
                      a_sds="sd_slope")
    combined = shares.join(a, on="region_code", how="left").with_columns(
        fitted=pl.col("fitted") & pl.col("a_fitted").fill_null(False),
        log_level=pl.col("log_level") + pl.col("a_ll"),
        slope_used=SHARE_TREND * pl.col("slope_used") + pl.col("a_su"),
        sd_level=(pl.col("sd_level") ** 2 + pl.col("a_sdl") ** 2).sqrt(),
        sd_slope=(pl.col("sd_slope") ** 2 + pl.col("a_sds") ** 2).sqrt(),
    ).select(direct.columns)
    return pl.concat([direct, combined], how="vertical_relaxed")


def _shrink(fits: pl.DataFrame) -> pl.DataFrame:
    """Wijk slopes shrunk to the gemeente slope of the same care type (empirical Bayes, see module doc)."""
    if "slope" not in fits.columns:  # no series long enough: every row unfitted, with the columns of a fit
        return fits.with_columns(slope=pl.lit(None, pl.Float64), slope_used=pl.lit(None, pl.Float64),
                                 log_level=pl.lit(None, pl.Float64),
                                 sd_level=pl.lit(None, pl.Float64), sd_slope=pl.lit(None, pl.Float64))
    gem = fits.filter(pl.col("level") == "gemeente", pl.col("fitted")).select("care_type", gem_slope="slope")
    wijk = fits.filter(pl.col("level") == "wijk", pl.col("fitted"))
    between = wijk.group_by("care_type").agg(
        tau2=(pl.col("slope").var() - (pl.col("sd_slope") ** 2).mean()).clip(lower_bound=0.0).fill_null(0.0)
    )
    fits = fits.join(gem, on="care_type", how="left").join(between, on="care_type", how="left")
    weight = pl.col("tau2") / (pl.col("tau2") + pl.col("sd_slope") ** 2)
    return fits.with_columns(
        slope_used=pl.when(pl.col("level") == "wijk")
        .then(weight.fill_null(0.0) * pl.col("slope") + (1 - weight.fill_null(0.0)) * pl.col("gem_slope").fill_null(
            pl.col("slope")))
        .otherwise(pl.col("slope"))
    )


def _point(fits: pl.DataFrame, origin: int, horizon: int, phi: float) -> pl.DataFrame:
    hs = pl.DataFrame(
        {"horizon": list(range(1, horizon + 1)), "damp": [_damped(h, phi) for h in range(1, horizon + 1)]},
        schema={"horizon": pl.Int32, "damp": pl.Float64},
    ).with_columns(year=(pl.col("horizon") + origin).cast(pl.Int32))
    return fits.filter(pl.col("fitted")).join(hs, how="cross").with_columns(
        log_point=pl.col("log_level") + pl.col("slope_used") * pl.col("damp")
    )


def _options(series: pl.DataFrame, origin: int, horizon: int) -> pl.DataFrame:
    """Points of every option (half-life x damping), columns hl and phi."""
    out = []
    for hl in HALF_LIVES:
        fits = _fits(series, origin, hl)
        out += [_point(fits, origin, horizon, f).with_columns(hl=pl.lit(hl), phi=pl.lit(f)) for f in DAMPINGS]
    return pl.concat(out, how="vertical_relaxed")


def _backtest(series: pl.DataFrame, years: list[int], horizon: int) -> pl.DataFrame:
    """Errors of the model (each damping) and of the last released value, per origin, horizon, region and
    care type."""
    out = []
    for origin in years[MIN_YEARS - 1:-1]:
        pts = _options(series, origin, horizon)
        last = series.filter(pl.col("year") == origin, pl.col("status") == "ok").select(
            "region_code", "care_type", last="value")
        target = series.filter(pl.col("year") > origin, pl.col("status") == "ok").select(
            "region_code", "care_type", "year", actual="value", actual_sd="sd")
        out.append(
            pts.join(target, on=["region_code", "care_type", "year"], how="inner")
            .join(last, on=["region_code", "care_type"], how="inner")
            .select("region_code", "level", "care_type", "horizon", "year", "actual", "actual_sd", "last", "hl", "phi",
                    model=pl.col("log_point").exp(), origin=pl.lit(origin, pl.Int32))
        )
    return pl.concat(out) if out else pl.DataFrame()


def care_types_of(table: pl.DataFrame) -> tuple[str, ...]:
    """"all" and the care types of the released register (the domain's, in the gate's order)."""
    if "care_type" not in table.columns:
        return CARE_TYPES_ALL
    types = [t for t in table["care_type"].unique(maintain_order=True).to_list() if t not in (None, "all")]
    return ("all", *types) if types else CARE_TYPES_ALL


def _choose(bt: pl.DataFrame, types: tuple[str, ...] = CARE_TYPES_ALL) -> pl.DataFrame:
    """Per care type the option (half-life, damping) with the lowest mean relative absolute error of the
    gemeente forecasts over the backtest's origins and horizons, used for the gemeente and its wijken (a
    wijk's released series is too noisy to choose on: its year-on-year changes are of the size of the DP
    noise). Default: half-life 2, damping 0.5."""
    grid = pl.DataFrame({"level": ["gemeente", "wijk"]}).join(pl.DataFrame({"care_type": types}), how="cross")
    default = grid.with_columns(hl=pl.lit(2.0), phi=pl.lit(DAMPINGS[1]))
    if bt.is_empty():
        return default
    score = bt.filter(pl.col("level") == "gemeente").group_by("care_type", "hl", "phi").agg(
        mae=((pl.col("model") - pl.col("actual")).abs() / pl.col("actual")).mean())
    best = score.sort("mae", "hl", "phi").group_by("care_type", maintain_order=True).first()
    return default.join(best.select("care_type", "hl", "phi"), on="care_type", how="left",
                        suffix="_b").select("level", "care_type", hl=pl.coalesce("hl_b", "hl"),
                                            phi=pl.coalesce("phi_b", "phi"))


def _error_variance(bt: pl.DataFrame, horizon: int) -> dict[tuple[str, str, int], float]:
    """Relative (log) forecast error variance per level, care type and horizon, the known noise of the
    released target removed; beyond the backtest's horizons it grows with the square of the horizon."""
    if bt.is_empty():
        return {}
    err = bt.with_columns(
        e2=(pl.col("model") / pl.col("actual")).log() ** 2, n2=(pl.col("actual_sd") / pl.col("actual")) ** 2
    ).group_by("level", "care_type", "horizon").agg(v=(pl.col("e2").mean() - pl.col("n2").mean()), n=pl.len())
    out: dict[tuple[str, str, int], float] = {}
    for (level, care), part in err.group_by("level", "care_type"):
        by_h = {int(h): max(float(v), 0.0) for h, v, n in part.select("horizon", "v", "n").iter_rows() if n >= 3}
        floor = 0.01**2
        for h in range(1, horizon + 1):
            if h in by_h:
                out[(str(level), str(care), h)] = max(by_h[h], floor)
            elif by_h:
                hmax = max(by_h)
                out[(str(level), str(care), h)] = max(by_h[hmax] * (h / hmax) ** 2, floor)
    return out


PRICE_YEARS = 3  # the released cost per client is pooled over the register's last years (prices move slowly)


def _prices(table: pl.DataFrame, latest: int, prices: Prices, limit: float, indexation_pct: float = 0.0,
            public_all: Price | None = None, types_per_child: float = 1.0, types: tuple[str, ...] = CARE_TYPES_ALL,
            ) -> dict[str, tuple[float, int, float, str, str]]:
    """Per care type: (eur per client, price year, relative sd, price_source, flag). The released cost per
    client of the last PRICE_YEARS years, each brought to `latest` by the indexation, inverse-variance
    weighted by its known noise; the public price when that is noisier than `limit` (or withheld)."""
    cost = table.filter(pl.col("measure") == "cost_per_client_eur", pl.col("level") == "gemeente",
                        pl.col("year") > latest - PRICE_YEARS, pl.col("year") <= latest, pl.col("provider").is_null(),
                        pl.col("status") == "ok", pl.col("value") > 0, pl.col("accuracy_95") > 0)
    out = {}
    for care in types:
        rows = cost.filter(pl.col("care_type") == care)
        public = prices.by_care_type.get(care) or public_all or prices.by_care_type[ALL_CARE_TYPES]
        if not rows.is_empty():
            factor = (1 + indexation_pct / 100) ** (latest - rows["year"].to_numpy())
            v = rows["value"].to_numpy() * factor
            sd = rows["accuracy_95"].to_numpy() * factor / Z95
            w = 1 / sd**2
            value, rel = float((w * v).sum() / w.sum()), float(1 / np.sqrt(w.sum()) / ((w * v).sum() / w.sum()))
            first = int(rows["year"].min())
            if rel <= limit:
                span = f"{first}-{latest}" if first < latest else f"{latest}"
                source = f"released by the privacy gate: cost per client of {care}, gemeente, {span} (DP-noised)"
                out[care] = (value, latest, rel, source, "")
                continue
            flag = FLAG_FALLBACK.format(sd=rel, limit=limit)
        else:
            flag = "price_fallback: released cost per client withheld; public price used"
        if care != "all" and care not in prices.by_care_type and types_per_child > 1:
            # a price per child of all care types, and a child can be in several care types at once
            out[care] = (public.eur_per_client_year / types_per_child, public.price_year, 0.0,
                         f"public price per client of all care types / {types_per_child:.2f} care types per client "
                         f"(the gemeente's released mix): {public.source[:80]}", flag)
            continue
        out[care] = (public.eur_per_client_year, public.price_year, 0.0, f"public price: {public.source[:80]}", flag)
    return out


def _types_per_child(series: pl.DataFrame, latest: int) -> float:
    """The gemeente's children in care per care type summed over the care types / its children of all types
    (latest released year); 1 when unknown."""
    gem = series.filter(pl.col("level") == "gemeente", pl.col("year") == latest, pl.col("status") == "ok")
    total = gem.filter(pl.col("care_type") == "all")["value"]
    summed = gem.filter(pl.col("care_type") != "all")["value"].sum()
    return float(summed / total[0]) if len(total) and total[0] and summed else 1.0


def records_forecast(releases: Any, policy: Any, prices: Prices, indexation_pct: float, horizon: int,
                     wijk_status: dict[str, str] | None = None, *, price_factor: float = 1.0,
                     options: list[dict[str, Any]] | None = None, public_all: Price | None = None,
                     ) -> tuple[pl.DataFrame, dict[str, Any]]:
    """forecast.csv rows per region and care type from the released series, and the audit section.
    `options` (the audit's `options_chosen` of another run) fixes half-life and damping instead of the
    backtest's choice, so two series can be compared under one method (bench). `public_all`: the public
    price of all care types for this gemeente (its own from CBS Iv3 spending, `_costs.default_price`), used
    for a care type without its own [prices.<care_type>] table when the released price is too noisy."""
    table = releases.table
    series = _series(table)
    years = sorted(int(y) for y in series["year"].unique())
    latest = years[-1]
    limit = float(getattr(getattr(policy, "privacy", None), "max_price_relative_sd", 0.1))
    bt_all = _backtest(series, years, horizon)
    types = care_types_of(table)
    choice = _choose(bt_all, types) if options is None else pl.DataFrame(options).select(
        "level", "care_type", pl.col("hl").cast(pl.Float64), pl.col("phi").cast(pl.Float64))
    keys = ["level", "care_type", "hl", "phi"]
    bt = bt_all.join(choice, on=keys) if not bt_all.is_empty() else bt_all
    evar = _error_variance(bt, horizon)
    pts = _options(series, latest, horizon).join(choice, on=keys)
    var = pl.DataFrame(
        [{"level": lv, "care_type": c, "horizon": h, "evar": v} for (lv, c, h), v in evar.items()],
        schema={"level": pl.String, "care_type": pl.String, "horizon": pl.Int32, "evar": pl.Float64},
    )
    # without a backtest error (too few years) the fit's own uncertainty is the interval
    fit_var = pl.col("sd_level") ** 2 + (pl.col("sd_slope") * pl.col("damp")) ** 2
    pts = pts.join(var, on=["level", "care_type", "horizon"], how="left").sort("horizon").with_columns(
        v=pl.max_horizontal(pl.col("evar"), fit_var).cum_max().over("region_code", "care_type")
    ).with_columns(
        sd_log=pl.max_horizontal("v", pl.col("v").first().over("region_code", "care_type") * pl.col("horizon"))
        .sqrt()
    )
    price = _prices(table, latest, prices, limit, indexation_pct, public_all, _types_per_child(series, latest),
                    types)
    p = pl.DataFrame(
        [{"care_type": c, "eur": v[0], "price_year": v[1], "price_rel_sd": v[2], "price_source": v[3],
          "flag": v[4]} for c, v in price.items()]
    )
    lp, sd = pl.col("log_point"), pl.col("sd_log")
    rows = pts.join(p, on="care_type", how="left").with_columns(
        clients=lp.exp().round(0).cast(pl.Int64),
        clients_lower=(lp - Z80 * sd).exp().round(0).cast(pl.Int64),
        clients_upper=(lp + Z80 * sd).exp().round(0).cast(pl.Int64),
        clients_lower_95=(lp - Z95 * sd).exp().round(0).cast(pl.Int64),
        clients_upper_95=(lp + Z95 * sd).exp().round(0).cast(pl.Int64),
        unit=pl.col("eur") * price_factor
        * (1 + indexation_pct / 100) ** (pl.col("year") - pl.col("price_year")).cast(pl.Float64),
        clients0=pl.col("log_level").exp(),
    )
    euros = _euros(rows, series, latest)
    out = rows.join(euros, on=["region_code", "care_type", "year"], how="left")
    fallback = [c for c, v in price.items() if c != "all" and v[4]]
    out = out.with_columns(
        price_source=pl.when(pl.col("care_type") == "all")
        .then(pl.lit("clients x the sum over care types of (their share in the register x that care type's price)"
                     + ("; level calibrated to the gemeente's released cost per client of all care types"
                        if not price["all"][4] else "")))
        .otherwise(pl.col("price_source")),
        flag=pl.when(pl.col("care_type") == "all")
        .then(pl.lit(f"price_fallback for {', '.join(fallback)}: public price used" if fallback else ""))
        .otherwise(pl.col("flag")),
    )
    status = pl.col("region_code").replace_strict(wijk_status, default="ok") if wijk_status else pl.lit("ok")
    out = out.with_columns(status=pl.when(pl.col("level") == "wijk").then(status).otherwise(pl.lit("ok")),
                           growth=pl.lit(RECORDS_GROWTH))
    unfitted = _unfitted(series, latest, horizon).join(p.select("care_type", "price_source"), on="care_type",
                                                        how="left")
    audit = _audit(out, bt, price, latest, limit, horizon, types)
    audit["options_chosen"] = choice.sort("level", "care_type").to_dicts()
    gem_code = series.filter(pl.col("level") == "gemeente")["region_code"]
    both = pl.concat([out, unfitted], how="diagonal_relaxed")
    return both.with_columns(gemeente_code=pl.lit(gem_code[0] if len(gem_code) else None, pl.String)), audit


def _mix(series: pl.DataFrame, latest: int) -> pl.DataFrame:
    """Per wijk and care type: its share of the wijk's children over the released years (sums of the cells,
    so the noise of one year averages out) with the sd from the known noise, shrunk to the gemeente's share
    (empirical Bayes, as the slopes). A wijk with a withheld cell of that type in any year takes the
    gemeente's share: the cells that pass the CBS rule are the ones whose noise went up, so their sum would
    overstate a small care type."""
    rows = series.filter(pl.col("year") <= latest)
    alls = rows.filter(pl.col("care_type") == "all", pl.col("status") == "ok").select("region_code", "year",
                                                                                    n_all="value")
    types = rows.filter(pl.col("care_type") != "all").join(alls, on=["region_code", "year"], how="inner")
    mix = types.group_by("region_code", "level", "care_type").agg(
        share=pl.col("value").sum() / pl.col("n_all").sum(),
        share_sd=(pl.col("sd") ** 2).sum().sqrt() / pl.col("n_all").sum(),
        complete=(pl.col("status") == "ok").all(),
    )
    gem = mix.filter(pl.col("level") == "gemeente").select("care_type", gem_share="share")
    own = mix.filter(pl.col("level") == "wijk", pl.col("complete"))
    tau2 = own.group_by("care_type").agg(
        tau2=(pl.col("share").var() - (pl.col("share_sd") ** 2).mean()).clip(lower_bound=0.0).fill_null(0.0))
    w = (pl.col("tau2") / (pl.col("tau2") + pl.col("share_sd") ** 2)).fill_nan(0.0)
    shrunk = own.join(gem, on="care_type").join(tau2, on="care_type").select(
        "region_code", "care_type", share=w * pl.col("share") + (1 - w) * pl.col("gem_share"),
        share_sd=w * pl.col("share_sd"))
    wijken = alls.select("region_code").unique().join(gem, how="cross")
    return wijken.join(shrunk, on=["region_code", "care_type"], how="left").select(
        "region_code", "care_type", share=pl.coalesce("share", "gem_share"), share_sd=pl.col("share_sd").fill_null(0.0)
    )


def _calibrated(price: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The mix prices of "all" scaled so that the gemeente's equals its released cost per client of all care
    types, when that price is used (precise enough, no flag): a care type on a public fallback price would
    otherwise move the level of every region's euros (measured on the SYNTHETIC Den Haag registers: +13% for
    youth care, +24% for Wmo against the released price). Wijken keep their mix: a wijk with more of an
    expensive care type stays dearer per client. The released price's own uncertainty is added."""
    released = rows.filter(pl.col("care_type") == "all", pl.col("level") == "gemeente",
                           pl.col("flag").fill_null("") == "").select(
        "region_code", "year", p_all="unit", rel_all="price_rel_sd").unique(["region_code", "year"])
    if released.is_empty():
        return price
    factor = price.join(released, on=["region_code", "year"], how="inner").select(
        "year", "rel_all", c=pl.col("p_all") / pl.col("unit_all"))
    return price.join(factor, on="year", how="left").with_columns(
        c=pl.col("c").fill_null(1.0).fill_nan(1.0), rel_all=pl.col("rel_all").fill_null(0.0)).with_columns(
        unit_all=pl.col("unit_all") * pl.col("c"),
        unit_var=pl.col("unit_var") * pl.col("c") ** 2 + (pl.col("unit_all") * pl.col("c") * pl.col("rel_all")) ** 2,
    ).drop("c", "rel_all")


def _euros(rows: pl.DataFrame, series: pl.DataFrame, latest: int) -> pl.DataFrame:
    """Euros per care type = clients x price. Euros of "all" (volume x price): the forecast children of the
    region x the sum over care types of (the region's share of that care type over the released years x its
    price); a share's noise and a price's own uncertainty widen the bounds. The wijk's children of all types
    together are the most exact released series, the mix of care types is stable and averages over years."""
    cost = pl.col("clients").cast(pl.Float64) * pl.col("unit")
    var = (cost * pl.col("sd_log")) ** 2 + (cost * pl.col("price_rel_sd")) ** 2
    types = rows.filter(pl.col("care_type") != "all").with_columns(cost=cost, var=var)
    units = rows.filter(pl.col("care_type") != "all", pl.col("level") == "gemeente").select(
        "care_type", "year", "unit", "price_rel_sd")
    price = _mix(series, latest).join(units, on="care_type").group_by("region_code", "year").agg(
        unit_all=(pl.col("share") * pl.col("unit")).sum(),
        unit_var=((pl.col("share_sd") * pl.col("unit")) ** 2 + (pl.col("share") * pl.col("unit")
                                                                 * pl.col("price_rel_sd")) ** 2).sum(),
    )
    price = _calibrated(price, rows)
    summed = rows.filter(pl.col("care_type") == "all").join(price, on=["region_code", "year"], how="inner").select(
        "region_code", "care_type", "year",
        cost=pl.col("clients") * pl.col("unit_all"),
        var=(pl.col("clients") * pl.col("unit_all") * pl.col("sd_log")) ** 2
        + pl.col("clients").cast(pl.Float64) ** 2 * pl.col("unit_var"),
    )
    both = pl.concat([types.select("region_code", "care_type", "year", "cost", "var"), summed],
                     how="vertical_relaxed")
    sd = pl.col("var").sqrt()

    def k(expr: pl.Expr) -> pl.Expr:
        return (expr.clip(lower_bound=0) / 1000).round(0) * 1000

    return both.select(
        "region_code", "care_type", "year",
        cost_eur=k(pl.col("cost")),
        cost_lower_eur=k(pl.col("cost") - Z80 * sd), cost_upper_eur=k(pl.col("cost") + Z80 * sd),
        cost_lower_95_eur=k(pl.col("cost") - Z95 * sd), cost_upper_95_eur=k(pl.col("cost") + Z95 * sd),
    )


def _unfitted(series: pl.DataFrame, latest: int, horizon: int) -> pl.DataFrame:
    """Regions and care types without enough released years: rows without values, status secret."""
    fits = _fits(series, latest)
    bad = fits.filter(~pl.col("fitted")).select("region_code", "level", "care_type")
    hs = pl.DataFrame({"horizon": list(range(1, horizon + 1))}, schema={"horizon": pl.Int32}).with_columns(
        year=(pl.col("horizon") + latest).cast(pl.Int32))
    return bad.join(hs, how="cross").with_columns(
        status=pl.lit("secret"), growth=pl.lit(RECORDS_GROWTH),
        flag=pl.lit(f"records_history_short: fewer than {MIN_YEARS} released years (ok, the last one {latest})"))


def _audit(out: pl.DataFrame, bt: pl.DataFrame, price: dict, latest: int, limit: float,
           horizon: int, types: tuple[str, ...] = CARE_TYPES_ALL) -> dict[str, Any]:
    last = out.filter(pl.col("horizon") == horizon, pl.col("level") == "wijk", pl.col("status") == "ok")
    ranking = {}
    for care in types:
        part = last.filter(pl.col("care_type") == care).with_columns(
            growth_pct=((pl.col("clients") / pl.col("clients0") - 1) * 100).round(1),
            growth_lower_pct=((pl.col("clients_lower") / pl.col("clients0") - 1) * 100).round(1),
            growth_upper_pct=((pl.col("clients_upper") / pl.col("clients0") - 1) * 100).round(1),
            trend_pct_per_year=((pl.col("slope_used").exp() - 1) * 100).round(2),
        ).sort("trend_pct_per_year", "growth_pct", descending=True)
        ranking[care] = part.select("region_code", "growth_pct", "growth_lower_pct", "growth_upper_pct",
                                    "trend_pct_per_year",
                                    clients_latest=pl.col("clients0").round(0).cast(pl.Int64),
                                    clients_last_year="clients").to_dicts()
    gem_bt = _backtest_scores(bt)
    return {
        "method": "weighted local linear trend on the released (DP-noised) series per region and care type, "
                  "wijk slopes shrunk to the gemeente's (empirical Bayes on the known noise), damped; "
                  "intervals from the rolling-origin backtest minus the known noise of the target",
        "register_latest_year": latest,
        "first_forecast_year": latest + 1,
        "ranking_by_growth": {"to_year": latest + horizon, "interval": "80%", "by_care_type": ranking,
                              "order": "by the wijk's (shrunk) trend per year, then growth to the last year: the "
                                       "same order as growth whenever the trend is not damped to nothing"},
        "prices": {c: {"eur_per_client_year": round(v[0]), "price_year": v[1], "relative_sd": round(v[2], 3),
                       "price_source": v[3], "flag": v[4]} for c, v in price.items()},
        "max_price_relative_sd": limit,
        "backtest_gemeente": gem_bt,
    }


def _backtest_scores(bt: pl.DataFrame) -> list[dict[str, Any]]:
    """MAE of the model and of the last released value at gemeente level per care type and horizon."""
    if bt.is_empty():
        return []
    g = bt.filter(pl.col("level") == "gemeente")
    return g.group_by("care_type", "horizon").agg(
        n=pl.len(),
        mae_model=(pl.col("model") - pl.col("actual")).abs().mean().round(1),
        mae_last_value=(pl.col("last") - pl.col("actual")).abs().mean().round(1),
    ).sort("care_type", "horizon").to_dicts()


def with_records(table: pl.DataFrame, releases: Any, inp: Any, profiles: Any,
                 public_price: Price | None = None) -> tuple[pl.DataFrame, dict[str, Any]]:
    """forecast.csv with the register's rows per care type added (column care_type; empty on the rows from
    open data) and the audit section "records"; `inp` is the forecast's `Inputs` (policy, horizon, scenario).
    `public_price`: the domain's public price per client (default: the gemeente's youth-care price)."""
    from toolkit.forecasts._build import EXTRA_COLUMNS, FORECAST_COLUMNS, WITHHELD
    from toolkit.forecasts._costs import default_price, load_prices

    prof = getattr(profiles, "table", None)
    small = {} if prof is None else dict(prof.filter(pl.col("status") == "too_small").select(
        "region_code", "status").iter_rows())
    prices = load_prices()
    public = public_price or default_price(prices, inp.panel.frame)
    gemeente = inp.panel.gemeenten[0]
    eur, source = public.by_gemeente.get(gemeente, (public.eur_per_client_year, public.source))
    own = Price(eur, public.price_year, source)
    rows, audit = records_forecast(releases, inp.policy, prices, inp.indexation, inp.horizon, small,
                                   price_factor=inp.scenario.price_factor, public_all=own)
    label = f"{inp.scenario.name}; register trend per care type"
    rows = rows.with_columns(scenario=pl.lit(label), flag=pl.col("flag").fill_null(""))
    ok = pl.col("status") == "ok"
    rows = rows.with_columns(pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in WITHHELD
                             if c in rows.columns)
    columns = [*FORECAST_COLUMNS, *EXTRA_COLUMNS]
    rows = rows.select([pl.col(c) if c in rows.columns else pl.lit(None).alias(c) for c in columns] + ["care_type"])
    out = pl.concat([table.with_columns(care_type=pl.lit(None, pl.String)), rows], how="diagonal_relaxed")
    return out, audit


def totals_only(table: pl.DataFrame) -> pl.DataFrame:
    """forecast.csv without the register's rows of single care types (keeps the open-data rows and the
    register's "all"), for consumers that read one total per scenario and year (the finance page)."""
    if "care_type" not in table.columns:
        return table
    return table.filter(pl.col("care_type").is_null() | (pl.col("care_type") == "all"))
