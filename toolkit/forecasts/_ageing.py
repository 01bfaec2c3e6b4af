"""The Wmo forecast: a wijk's clients follow the ageing of its population (rate per age band x population).

CBS publishes Wmo clients per wijk only as totals (no age split), so the rate per age band is estimated:
a population-weighted least-squares regression of every Dutch wijk's Wmo rate (clients per inhabitant, wijken
of at least the policy's minimum population) on its age shares 0-14, 15-24, 25-44, 45-64 and 65+ (KWB has no
75+ band per wijk), with the rate never falling as age rises (non-negative steps between bands: the unknowns
are the steps, the design the share at or above each band). The age shares are collinear, and unconstrained
non-negative rates swung to 25-44 100 and 45-64 0 per 1,000 (2021); the monotone fit gives 15-64 about 41 and
65+ 218 per 1,000 (2024), and it scored better on the 2021 -> 2024 gemeente check (MAPE 6.9% against 7.1%,
bias +0.8% against +2.1%; wijk MAPE 12.6% against 12.5%). One national set of band rates per year; the latest
year's is used.

Forecast (rates per age band held at the latest year's; "ageing only"):
    clients(w, T+h) = clients(w, T) x need(w, T+h) / need(w, T),  need = sum_b rate_b x population_b
so a wijk keeps its own level (everything the ages do not explain) and moves with its age structure. The age
bands are projected per wijk from their yearly growth between the two latest KWB years with bands (2022 and
2024), damped halfway toward the gemeente's band growth and clipped to +-5% a year. Gemeente rows apply the
same to the gemeente's own published count and bands (not a sum of wijken: many wijk counts are secret).

Backtest (the one real check, 2021 -> 2024, horizon 3): last value, a pure demographic projection (clients x
population growth) and this model (band rates of 2021 x the 2024 bands), for every wijk and gemeente with a
published count in both years. The 2024 populations are the real ones in both projections (no age bands
before 2021 to project 2021 -> 2024 from), so the check isolates the rate model, not the population forecast.
Intervals: the empirical 10/90 and 2.5/97.5% quantiles of the backtest's log errors, scaled by sqrt(h/3);
their coverage in backtest.csv is measured out of sample (quantiles of one half of the gemeenten, scored on
the other half).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import nnls

from ethics.policy import Policy
from toolkit.domains import Domain
from toolkit.forecasts._build import EXTRA_COLUMNS, FORECAST_COLUMNS, WITHHELD, ForecastResult, _inputs
from toolkit.forecasts._costs import load_prices
from toolkit.forecasts._scores import SCORE_COLUMNS
from toolkit.panel import Panel

__all__ = ["backtest_ageing", "band_rates", "build_ageing_forecasts"]

DAMPING = 0.5
MAX_GROWTH = 0.05
BACKTEST = (2021, 2024)
MODELS = ("model", "demographic", "last_value")


def band_rates(frame: pl.DataFrame, domain: Domain, year: int, min_population: int) -> np.ndarray:
    """Clients per inhabitant of each age band in `year` (population-weighted NNLS over Dutch wijken on the
    shares at or above each band: non-negative steps, so the rate never falls with age)."""
    bands = list(domain.age_bands)
    rows = frame.filter(pl.col("level") == "wijk", pl.col("year") == year, pl.col(domain.clients).is_not_null(),
                        pl.col("population") >= min_population).drop_nulls(bands)
    pop = rows["population"].to_numpy().astype(float)
    shares = rows.select(bands).to_numpy().astype(float) / pop[:, None]
    rate = rows[domain.clients].to_numpy().astype(float) / pop
    w = np.sqrt(pop)
    at_or_above = np.cumsum(shares[:, ::-1], axis=1)[:, ::-1]
    steps, _ = nnls(at_or_above * w[:, None], rate * w)
    return np.cumsum(steps)


def _need(rates: np.ndarray, bands: tuple[str, ...]) -> pl.Expr:
    return pl.sum_horizontal(*[pl.col(b).cast(pl.Float64) * float(r) for b, r in zip(bands, rates, strict=True)])


def _pair(frame: pl.DataFrame, domain: Domain, level: str, a: int, b: int, min_population: int) -> pl.DataFrame:
    cols = ["region_code", "gemeente_code", "population", domain.clients, *domain.age_bands]
    x = frame.filter(pl.col("level") == level, pl.col("year") == a).select(cols)
    y = frame.filter(pl.col("level") == level, pl.col("year") == b).select(cols)
    both = x.join(y.drop("gemeente_code"), on="region_code", suffix="_b")
    return both.filter(pl.col(domain.clients) > 0, pl.col(f"{domain.clients}_b") > 0,
                       pl.col("population") >= min_population, pl.col("population_b") >= min_population)


def _half(code: str) -> int:
    return hashlib.sha256(code.encode()).digest()[0] % 2


def _quantiles(log_err: np.ndarray) -> dict[str, float]:
    if log_err.size < 10:
        return {"lo80": -0.3, "hi80": 0.3, "lo95": -0.5, "hi95": 0.5}  # too few errors: wide fixed band
    q = np.quantile(log_err, [0.1, 0.9, 0.025, 0.975])
    return {"lo80": min(q[0], 0.0), "hi80": max(q[1], 0.0), "lo95": min(q[2], 0.0), "hi95": max(q[3], 0.0)}


def backtest_ageing(frame: pl.DataFrame, domain: Domain, min_population: int) -> dict[str, Any]:
    """2021 -> 2024 per wijk and gemeente: predictions of the three rules, scores, interval quantiles."""
    a, b = BACKTEST
    rates = band_rates(frame, domain, a, min_population)
    c = pl.col(domain.clients)
    pb = [f"{x}_b" for x in domain.age_bands]
    out: dict[str, Any] = {"rates_origin": rates, "levels": {}}
    for level in ("wijk", "gemeente"):
        pair = _pair(frame, domain, level, a, b, min_population if level == "wijk" else 0)
        pair = pair.with_columns(
            c.alias("last_value"),
            (c * pl.col("population_b") / pl.col("population")).alias("demographic"),
            (c * _need(rates, tuple(pb)) / _need(rates, domain.age_bands)).alias("model"),
            pl.col(f"{domain.clients}_b").alias("actual"),
        ).with_columns(pl.col("gemeente_code").map_elements(_half, return_dtype=pl.Int64).alias("half"))
        out["levels"][level] = pair
    return out


def _scores(bt: dict[str, Any], land: str) -> tuple[pl.DataFrame, dict[str, dict[str, float]]]:
    rows, summary = [], {}
    for level, pair in bt["levels"].items():
        summary[level] = {}
        for m in MODELS:
            f, t = pair[m].to_numpy(), pair["actual"].to_numpy()
            cov80 = cov95 = None
            if m == "model":  # out of sample: quantiles of the other half's regions of the same level
                c80, c95 = [], []
                for h in (0, 1):
                    other = pair.filter(pl.col("half") != h)
                    q = _quantiles(np.log(other["actual"].to_numpy() / other["model"].to_numpy()))
                    part = pair.filter(pl.col("half") == h)
                    e = np.log(part["actual"].to_numpy() / part["model"].to_numpy())
                    c80 += list((e >= q["lo80"]) & (e <= q["hi80"]))
                    c95 += list((e >= q["lo95"]) & (e <= q["hi95"]))
                cov80, cov95 = float(np.mean(c80)), float(np.mean(c95))
            mape = float(np.mean(np.abs(f - t) / t) * 100)
            summary[level][m] = mape
            rows.append({"level": level, "model": m, "horizon": 3, "origin": str(BACKTEST[0]),
                         "mae": float(np.mean(np.abs(f - t))), "mape": mape, "bias": float(np.mean(f - t)),
                         "total_bias": float((f.sum() / t.sum() - 1) * 100), "coverage_80": cov80,
                         "coverage_95": cov95, "n_regions": pair.height, "n_forecasts": pair.height,
                         "same_definition": True, "unit": "clients", "region_code": land})
    return pl.DataFrame(rows).select(SCORE_COLUMNS), summary


def _ratio(scores: pl.DataFrame) -> dict[str, Any]:
    """Wijk MAE of the model / of last value and the model's 80% coverage on the one real check (the keys the
    reports read for every domain; youth care gives them at horizon 1)."""
    wijk = {r["model"]: r for r in scores.filter(pl.col("level") == "wijk").iter_rows(named=True)}
    model, last = wijk.get("model"), wijk.get("last_value")
    if not model or not last or not last["mae"]:
        return {}
    return {"mae_ratio_model_to_last_value": round(model["mae"] / last["mae"], 4), "mae_ratio_horizon": 3,
            "coverage_80_model": None if model["coverage_80"] is None else round(model["coverage_80"], 4)}


def _project(frame: pl.DataFrame, domain: Domain, latest: int, horizon: int, level: str) -> pl.DataFrame:
    """Rows region_code x horizon with projected age bands (see the module docstring)."""
    years = sorted(frame.filter(pl.col("level") == level, pl.col("pop_65_plus").is_not_null(),
                                pl.col("year") < latest)["year"].unique().to_list())
    now = frame.filter(pl.col("level") == level, pl.col("year") == latest)
    keep = ["region_code", "gemeente_code", domain.clients, *domain.age_bands]
    if not years:
        growth = now.select("region_code", *[pl.lit(0.0).alias(f"g_{b}") for b in domain.age_bands])
    else:
        prev, span = years[-1], latest - years[-1]
        before = frame.filter(pl.col("level") == level, pl.col("year") == prev).select(
            "region_code", *[pl.col(b).alias(f"p_{b}") for b in domain.age_bands])
        own = now.join(before, on="region_code", how="left").select(
            "region_code", "gemeente_code",
            *[(pl.col(b) / pl.col(f"p_{b}")).log().truediv(span).alias(f"g_{b}") for b in domain.age_bands])
        own = own.with_columns(pl.when(pl.col(f"g_{b}").is_finite()).then(pl.col(f"g_{b}")).otherwise(None)
                               .alias(f"g_{b}") for b in domain.age_bands)
        if level == "wijk":
            gem = _project_growth_gemeente(frame, domain, latest, prev, span)
            own = own.join(gem, on="gemeente_code", how="left").with_columns(
                (DAMPING * pl.col(f"g_{b}").fill_null(pl.col(f"gg_{b}")) + (1 - DAMPING) * pl.col(f"gg_{b}"))
                .alias(f"g_{b}") for b in domain.age_bands)
        growth = own.select("region_code", *[pl.col(f"g_{b}").fill_null(0.0)
                                             .clip(math.log(1 - MAX_GROWTH), math.log(1 + MAX_GROWTH))
                                             for b in domain.age_bands])
    base = now.select(keep).join(growth, on="region_code", how="left")
    hs = pl.DataFrame({"horizon": list(range(1, horizon + 1))}, schema={"horizon": pl.Int32})
    return base.join(hs, how="cross").with_columns(
        (pl.col(b) * (pl.col(f"g_{b}") * pl.col("horizon")).exp()).alias(f"{b}_h") for b in domain.age_bands)


def _project_growth_gemeente(frame: pl.DataFrame, domain: Domain, latest: int, prev: int, span: int) -> pl.DataFrame:
    g = frame.filter(pl.col("level") == "gemeente")
    now = g.filter(pl.col("year") == latest).select("region_code", *domain.age_bands)
    before = g.filter(pl.col("year") == prev).select("region_code", *[pl.col(b).alias(f"p_{b}")
                                                                      for b in domain.age_bands])
    return now.join(before, on="region_code").select(
        pl.col("region_code").alias("gemeente_code"),
        *[(pl.col(b) / pl.col(f"p_{b}")).log().truediv(span).alias(f"gg_{b}") for b in domain.age_bands])


def _rows(proj: pl.DataFrame, domain: Domain, rates: np.ndarray, q: dict[str, float], price: float,
          latest: int) -> pl.DataFrame:
    bands_h = tuple(f"{b}_h" for b in domain.age_bands)
    scale = (pl.col("horizon").cast(pl.Float64) / (BACKTEST[1] - BACKTEST[0])).sqrt()
    point = pl.col(domain.clients) * _need(rates, bands_h) / _need(rates, domain.age_bands)
    out = proj.with_columns(point.alias("c")).with_columns(
        (pl.col("horizon") + latest).cast(pl.Int32).alias("year"),
        pl.col("c").round(0).cast(pl.Int64).alias("clients"),
        *[(pl.col("c") * (scale * q[k]).exp()).round(0).cast(pl.Int64).alias(name)
          for k, name in (("lo80", "clients_lower"), ("hi80", "clients_upper"), ("lo95", "clients_lower_95"),
                          ("hi95", "clients_upper_95"))])
    return out.with_columns(
        (pl.col(a) * price).round(0).alias(b)
        for a, b in (("clients", "cost_eur"), ("clients_lower", "cost_lower_eur"),
                     ("clients_upper", "cost_upper_eur"), ("clients_lower_95", "cost_lower_95_eur"),
                     ("clients_upper_95", "cost_upper_95_eur")))


def build_ageing_forecasts(panel: Panel, profiles: Any, policy: Policy, domain: Domain, horizon: int,
                           scenario_name: str = "beleid ongewijzigd") -> ForecastResult:
    """forecast.csv and backtest.csv of an age-driven domain (Wmo), see the module docstring."""
    frame, latest = panel.frame, panel.latest_year
    min_pop = policy.disclosure.min_youth_population  # the policy minimum, applied to the domain's population
    price = load_prices().by_care_type[domain.price_key]
    rates = band_rates(frame, domain, latest, min_pop)
    bt = backtest_ageing(frame, domain, min_pop)
    land = str(frame.filter(pl.col("level") == "land")["region_code"].first() or "NL00")
    scores, summary = _scores(bt, land)
    q = {lv: _quantiles(np.log(p["actual"].to_numpy() / p["model"].to_numpy())) for lv, p in bt["levels"].items()}
    status = profiles.table.select("region_code", pl.col("status").alias("profile_status"))
    wijk = _rows(_project(frame, domain, latest, horizon, "wijk"), domain, rates, q["wijk"],
                 price.eur_per_client_year, latest)
    wijk = panel.scope_wijken().select("region_code", "gemeente_code").join(
        wijk.drop("gemeente_code"), on="region_code", how="left").join(
        status, on="region_code", how="left").with_columns(
        pl.when(pl.col("profile_status") != "ok").then(pl.col("profile_status"))
        .when(pl.col("clients").is_null()).then(pl.lit("secret")).otherwise(pl.lit("ok")).alias("status"),
        pl.lit("wijk").alias("level"))
    gem = _rows(_project(frame, domain, latest, horizon, "gemeente"), domain, rates, q["gemeente"],
                price.eur_per_client_year, latest).filter(pl.col("region_code").is_in(list(panel.gemeenten)))
    gem = gem.with_columns(pl.col("region_code").alias("gemeente_code"), pl.lit("gemeente").alias("level"),
                           pl.when(pl.col("clients").is_null()).then(pl.lit("secret")).otherwise(pl.lit("ok"))
                           .alias("status"))
    source = f"configs/prices.toml [prices.{domain.price_key}] ({price.price_year}): CBS Iv3 / CBS KWB"
    extra = [pl.lit(None, dtype=pl.Int64).alias("clients_other"),
             pl.lit(None, dtype=pl.Float64).alias("cost_other_eur"),
             pl.lit(f"{scenario_name}; vergrijzing, tarieven per leeftijd constant").alias("scenario"),
             pl.lit("ageing_rates_constant").alias("growth"), pl.lit(source).alias("price_source"),
             pl.lit("").alias("flag")]
    table = pl.concat([wijk.with_columns(*extra), gem.with_columns(*extra)], how="diagonal_relaxed")
    table = table.filter(pl.col("horizon").is_not_null() | (pl.col("level") == "wijk"))
    table = _fill_years(table, panel, horizon).select([*FORECAST_COLUMNS, *EXTRA_COLUMNS])
    ok = pl.col("status") == "ok"
    table = table.with_columns(pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in WITHHELD)
    table = table.sort(pl.col("level") == "gemeente", "region_code", "year")
    growth = table.filter(pl.col("horizon") == horizon, pl.col("level") == "wijk").join(
        wijk.filter(pl.col("horizon") == 1).select("region_code", pl.col(domain.clients).alias("c0")),
        on="region_code", how="left").select(
        "region_code", ((pl.col("clients") / pl.col("c0") - 1) * 100).round(1).alias("growth_pct"), "status")
    region_errors = bt["levels"]["wijk"].select(
        "region_code", pl.lit("model").alias("model"), pl.lit(3).alias("horizon"),
        ((pl.col("model") - pl.col("actual")) / pl.col("population_b") * 100).alias("error")).with_columns(
        pl.col("error").abs().alias("abs_error"), pl.lit(1).alias("n_origins"))
    audit = {
        "domain": domain.name, "method": "ageing: clients x need(projected age bands) / need(latest bands), "
        "need = national Wmo rate per age band (NNLS on wijk age shares) x population per band",
        "band_rates_per_1000": {b: round(float(r) * 1000, 2) for b, r in zip(domain.age_bands, rates, strict=True)},
        "band_rates_year": latest, "age_bands_note": "KWB has no 75+ band per wijk: 65+ is the oldest band",
        "backtest": {"origin": BACKTEST[0], "target": BACKTEST[1], "mape_pct": summary,
                     "note": "real 2024 populations in both projections: the check isolates the rate model",
                     **_ratio(scores)},
        "interval_log_quantiles": q, "price": {"eur_per_client_year": price.eur_per_client_year,
                                               "price_year": price.price_year, "source": price.source},
        "scenario": scenario_name,
    }
    return ForecastResult(table, WITHHELD, scores, region_errors, growth, audit)


def _fill_years(table: pl.DataFrame, panel: Panel, horizon: int) -> pl.DataFrame:
    """Wijken without a row in the latest year's projection still get one row per forecast year."""
    years = pl.DataFrame({"horizon": list(range(1, horizon + 1))}, schema={"horizon": pl.Int32}).with_columns(
        (pl.col("horizon") + panel.latest_year).cast(pl.Int32).alias("year"))
    missing = table.filter(pl.col("horizon").is_null()).drop("horizon", "year").join(years, how="cross")
    return pl.concat([table.filter(pl.col("horizon").is_not_null()), missing], how="diagonal_relaxed")


def with_register(result: ForecastResult, releases: Any, panel: Panel, profiles: Any, policy: Policy,
                  domain: Domain, config: Any) -> ForecastResult:
    """The ageing forecast with the register's own rows per provision category (the records forecast of
    toolkit/forecasts/_records_forecast.py on the gate's releases, column care_type), priced at the domain's
    public price when the released cost per client is too noisy; the audit gets its "records" section."""
    from dataclasses import replace

    from toolkit.forecasts._records_forecast import with_records

    price = load_prices().by_care_type[domain.price_key]
    inp = _inputs(panel, policy, config, None, price=price)
    table, records = with_records(result.table, releases, inp, profiles, public_price=price)
    return replace(result, table=table, audit={**result.audit, "records": records})

