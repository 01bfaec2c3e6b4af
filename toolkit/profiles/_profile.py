"""build_profiles(): the profile stage of a run, from the panel (and the gate's releases) to a ProfileResult.

Signals -> national expected-rate model (grouped cross-fitting, SHAP) -> proxy strength -> typology ->
risk index, rank and priority list -> released shares (with records). Everything national (model, types,
percentiles, risk scale) is computed over all Dutch wijken of the reference year (`reference_year`, normally
the latest year), so a wijk's profile is the same whichever gemeenten are in scope; SHAP and the signal
table are computed only for the wijken in scope.

profiles.csv columns (ARCHITECTURE.md): PROFILE_COLUMNS, then release columns when records were given.
- observed_rate: `youth_care_rate_pct` of the latest year (see toolkit/sources/bridge.py);
- expected_rate: the national norm, the model's out-of-fold rate ("vergeleken met Nederland");
  excess_rate = observed - expected_rate;
- expected_rate_gemeente: the norm plus the gemeente's own level from its other wijken (`_gemeente`,
  "vergeleken met de rest van de gemeente"); excess_rate_gemeente = observed - expected_rate_gemeente;
  gemeente_level = expected_rate_gemeente - expected_rate; gemeente_level_wijken: how many other wijken
  of the gemeente it is estimated from (0: no level, the adjusted rate is the norm);
- risk_index, risk_rank, top_signals: see `_priority`; typology: see `_typology` (name in the run's language);
- status: `too_small` below the policy's minimum youth population, `secret` when CBS withheld the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ethics.policy import Policy
from toolkit.panel import Panel
from toolkit.profiles._audit import profile_audit
from toolkit.profiles._config import ProfileConfig
from toolkit.profiles._national import NationalFit, explain, fit_national
from toolkit.profiles._priority import priority_list, rank_within_gemeente, risk_index, top_signals
from toolkit.profiles._proxy import migration_share, proxy_strength
from toolkit.profiles._releases import join_releases, release_columns
from toolkit.profiles._signals import (
    latest_signals,
    need_percentile,
    percentile_against,
    percentiles,
    signal_frame,
)
from toolkit.profiles._target import pooled_target
from toolkit.profiles._typology import fit_typology

__all__ = ["PROFILE_COLUMNS", "WITHHELD", "ProfileResult", "build_profiles", "reference_year"]

PROFILE_COLUMNS = ("region_code", "region_name", "gemeente_code", "year", "youth_population",
                   "observed_rate", "expected_rate", "excess_rate", "expected_rate_gemeente", "excess_rate_gemeente",
                   "gemeente_level", "gemeente_level_wijken", "risk_index", "risk_rank", "typology",
                   "top_signals", "status")
RATES = ("observed_rate", "expected_rate", "excess_rate", "expected_rate_gemeente", "excess_rate_gemeente",
         "gemeente_level")
WITHHELD = (*RATES, "risk_index", "risk_rank")


@dataclass(frozen=True)
class ProfileResult:
    """What the profile stage gives the rest of the run (see the module docstring and ARCHITECTURE.md)."""

    table: pl.DataFrame  # profiles.csv
    withheld: tuple[str, ...]  # value columns that are null when status != ok
    priority: pl.DataFrame  # gemeente_code, region_code, priority_rank, reasons_nl, reasons_en
    model_errors: pl.DataFrame  # every Dutch wijk with a rate: observed_rate, expected_rate_oof (+ _gemeente_oof)
    signals: pl.DataFrame  # wijken in scope, long: signal, value, percentiles, direction, labels
    shap: pl.DataFrame  # wijken in scope, long: group, contribution, base_value, expected_rate
    audit: dict[str, Any]  # audit.json "profiles"


def reference_year(panel: Panel) -> int:
    """The latest year whose wijk youth-care rates cover at least half as many gemeenten as the best year.

    Normally the latest year. A newer KWB file of one gemeente (`--indicators`) makes that gemeente's year the
    latest; the national model, percentiles and types then keep learning from the last national year.
    """
    counts = (panel.level("wijk").filter(pl.col("year") <= panel.latest_year,
                                         pl.col("youth_care_rate_pct").is_not_null())
              .group_by("year").agg(pl.col("gemeente_code").n_unique().alias("n")))
    most = int(counts["n"].max())  # type: ignore[arg-type]
    return int(counts.filter(pl.col("n") * 2 >= most)["year"].max())  # type: ignore[arg-type]


def _base(panel: Panel, year: int) -> pl.DataFrame:
    return panel.level("wijk", year).select(
        "region_code", "region_name", "gemeente_code", "year",
        pl.col("youth_0_22_est").round(0).cast(pl.Int64).alias("youth_population"),
        pl.col("youth_care_rate_pct").cast(pl.Float64).alias("observed_rate")).sort("region_code")


def _training_rows(panel: Panel, ref_base: pl.DataFrame, ref_year: int, cfg: ProfileConfig) -> pl.DataFrame:
    rows = ref_base.select("region_code", "gemeente_code", "youth_population", "observed_rate")
    if cfg.pool_years <= 1:
        return rows
    return rows.join(pooled_target(panel, ref_year, cfg.pool_years), on="region_code", how="left")


def _observed_percentile(base: pl.DataFrame, reference: pl.DataFrame, min_youth: int) -> pl.DataFrame:
    ref = reference.filter(pl.col("youth_population") >= min_youth)["observed_rate"]
    pct = percentile_against(base["observed_rate"].fill_null(float("nan")).to_numpy(),
                             ref.fill_null(float("nan")).to_numpy())
    return base.select("region_code").with_columns(pl.Series("observed_rate", pct).fill_nan(None))


def _status(min_youth: int) -> pl.Expr:
    return (pl.when(pl.col("youth_population").is_null() | (pl.col("youth_population") < min_youth))
            .then(pl.lit("too_small")).when(pl.col("observed_rate").is_null()).then(pl.lit("secret"))
            .otherwise(pl.lit("ok")).alias("status"))


def _table(base: pl.DataFrame, extra: list[pl.DataFrame], policy: Policy) -> pl.DataFrame:
    rows = base
    for frame in extra:
        rows = rows.join(frame, on="region_code", how="left")
    rows = rows.with_columns(
        (pl.col("observed_rate") - pl.col("expected_rate")).alias("excess_rate"),
        (pl.col("observed_rate") - pl.col("expected_rate_gemeente")).alias("excess_rate_gemeente"),
        (pl.col("expected_rate_gemeente") - pl.col("expected_rate")).alias("gemeente_level"),
        _status(policy.disclosure.min_youth_population))
    ok = pl.col("status") == "ok"
    rows = rows.with_columns(pl.when(ok).then(pl.col(c)).otherwise(None).alias(c) for c in (*RATES, "risk_index"))
    return rank_within_gemeente(rows)


def _round(table: pl.DataFrame) -> pl.DataFrame:
    return table.with_columns(*[pl.col(c).round(2) for c in RATES], pl.col("risk_index").round(1))


def build_profiles(panel: Panel, policy: Policy, releases: Any = None, config: Any = None) -> ProfileResult:
    """Profiles of the wijken in scope, learned from all Dutch wijken of the reference (normally latest)
    year; see the module docstring."""
    cfg = ProfileConfig.of(config)
    min_youth = policy.disclosure.min_youth_population
    ref_year = reference_year(panel)
    ref_values, ref_base = latest_signals(panel, ref_year), _base(panel, ref_year)
    fit = fit_national(_training_rows(panel, ref_base, ref_year, cfg), ref_values, policy, cfg)
    types = fit_typology(percentiles(ref_values), cfg.n_types, cfg.random_state)
    in_scope = pl.col("gemeente_code").is_in(list(panel.gemeenten))
    base = _base(panel, panel.latest_year).filter(in_scope)
    values = latest_signals(panel).filter(in_scope)
    pct = percentiles(values, ref_values)
    need = need_percentile(pct)
    expected, shap = explain(fit, values)
    level, n_other = fit.gemeente_levels(values)
    extra = [values.select("region_code").with_columns(
                 pl.Series("expected_rate", expected), pl.Series("expected_rate_gemeente", expected + level),
                 pl.Series("gemeente_level_wijken", n_other).cast(pl.Int64)),
             risk_index(need, _observed_percentile(base, ref_base, min_youth)),
             types.assign(pct).select("region_code", pl.col(f"typology_{cfg.lang}").alias("typology")),
             top_signals(need, cfg.top_signals)]
    table = _table(base, extra, policy)
    priority = priority_list(table, need, cfg.priority_share, cfg.priority_min, cfg.priority_excess)
    table = join_releases(_round(table).select(PROFILE_COLUMNS), releases)
    extra_values = tuple(c for c in table.columns if c == release_columns()[0][0]
                         or (c.startswith("care_mix_") and not c.endswith("_status")))
    proxy = _proxy(panel, fit, ref_year)
    audit = profile_audit(fit, ref_values, types.definitions, proxy, cfg, policy, ref_year)
    return ProfileResult(
        table=table, withheld=WITHHELD + extra_values, priority=priority,
        model_errors=fit.wijken.filter(pl.col("observed_rate").is_not_null()).select(
            "region_code", "gemeente_code", "youth_population", "observed_rate", "expected_rate_oof",
            "expected_rate_gemeente_oof"),
        signals=signal_frame(values, pct, base["region_code"].to_list()), shap=shap, audit=audit)


def _proxy(panel: Panel, fit: NationalFit, year: int) -> dict[str, Any]:
    share = fit.wijken.select("region_code").join(
        migration_share(panel.level("wijk", year)), on="region_code", how="left")
    return proxy_strength(fit.X, share["migration_share"].fill_null(float("nan")).to_numpy(),
                          fit.wijken["gemeente_code"].to_numpy(), fit.crossfit.oof, fit.features,
                          fit.crossfit.n_splits)
