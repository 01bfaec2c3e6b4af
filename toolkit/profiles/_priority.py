"""Risk index (0-100), rank, top signals and the per-gemeente priority list for collective prevention.

Risk index: a weighted mean of need percentiles on the national scale (high = more need), with the weights
in `RISK_WEIGHTS` (shown in the audit and the report):
- observed_rate: national percentile of the wijk's observed youth-care rate;
- income, benefits, education, housing: the mean need percentile of the group's signals that have a
  direction (`_catalogue.SIGNALS`); household, urbanity and population are context and weigh 0.
A component without data is left out and the other weights are scaled up to sum to 1.

Rank (`risk_rank`): 1 = highest risk index among the wijken with status ok of the same gemeente; ties are
broken by region code. Wijken with status too_small or secret are never ranked.

Priority list: per gemeente, the ok wijken ranked within the top `share` of their gemeente (at least
`minimum`, at most all), with reasons in Dutch and English: the risk index, the top signals and the excess
youth care when it is at least `EXCESS_REASON` percentage points: by default the excess over the
gemeente-adjusted expected rate ("boven verwachting voor deze gemeente"), or over the national norm
(`ProfileConfig.priority_excess = "national"`). The forecast stage can add the expected
growth with `add_forecast_growth`.
"""

from __future__ import annotations

import math

import polars as pl

from toolkit.profiles._catalogue import SIGNAL_BY_NAME, SIGNALS

__all__ = ["RISK_WEIGHTS", "TOP_MIN_PERCENTILE", "EXCESS_REASON", "EXCESS_COLUMN", "PRIORITY_COLUMNS", "risk_index",
           "rank_within_gemeente", "top_signals", "priority_list", "add_forecast_growth"]

RISK_WEIGHTS: dict[str, float] = {"observed_rate": 0.30, "income": 0.25, "benefits": 0.20, "education": 0.15,
                                  "housing": 0.10}
TOP_MIN_PERCENTILE = 75.0
EXCESS_REASON = 1.0
EXCESS_COLUMN = {"gemeente": "excess_rate_gemeente", "national": "excess_rate"}
EXCESS_THAN = {"gemeente": ("voor deze gemeente", "for this gemeente"),
               "national": ("voor Nederland", "for the Netherlands")}
PRIORITY_COLUMNS = ("gemeente_code", "region_code", "priority_rank", "reasons_nl", "reasons_en")


def risk_index(need: pl.DataFrame, observed_pct: pl.DataFrame) -> pl.DataFrame:
    """region_code, risk_index from need percentiles (`need_percentile()`) and observed_rate percentiles."""
    comps = []
    for group in RISK_WEIGHTS:
        if group == "observed_rate":
            continue
        names = [s.name for s in SIGNALS if s.group == group and s.direction and s.name in need.columns]
        mean = pl.mean_horizontal(names) if names else pl.lit(None, pl.Float64)
        comps.append(mean.alias(group))
    frame = need.select("region_code", *comps).join(observed_pct, on="region_code", how="left")
    weight = [pl.when(pl.col(g).is_not_null()).then(w).otherwise(0.0) for g, w in RISK_WEIGHTS.items()]
    value = [pl.col(g).fill_null(0.0) * w for g, w in zip(RISK_WEIGHTS, weight, strict=True)]
    total = pl.sum_horizontal(weight)
    return frame.select("region_code", pl.when(total > 0).then(pl.sum_horizontal(value) / total)
                        .otherwise(None).alias("risk_index"))


def rank_within_gemeente(table: pl.DataFrame) -> pl.DataFrame:
    """Add risk_rank: 1.. per gemeente among status ok by risk_index (descending), ties by region_code."""
    ranked = (table.filter(pl.col("status") == "ok")
              .sort(["gemeente_code", "risk_index", "region_code"], descending=[False, True, False],
                    nulls_last=True)
              .select("region_code", pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("gemeente_code")
                      .alias("risk_rank")))
    return table.join(ranked, on="region_code", how="left")


def top_signals(need: pl.DataFrame, n: int) -> pl.DataFrame:
    """region_code, top_signals: up to n need signals at or above TOP_MIN_PERCENTILE, highest first."""
    cols = [c for c in need.columns if c in SIGNAL_BY_NAME]
    long = need.unpivot(index="region_code", on=cols, variable_name="signal", value_name="p").filter(
        pl.col("p") >= TOP_MIN_PERCENTILE)
    top = (long.sort(["region_code", "p", "signal"], descending=[False, True, False])
           .group_by("region_code", maintain_order=True).agg(pl.col("signal").head(n).str.join(";")
                                                             .alias("top_signals")))
    return need.select("region_code").join(top, on="region_code", how="left")


def _num(value: float, digits: int, lang: str) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def _reason(row: dict, need: dict[str, float], lang: str, excess_kind: str) -> str:
    i = 0 if lang == "nl" else 1
    parts = [("Risico-index " if i == 0 else "Risk index ") + _num(row["risk_index"], 0, lang)]
    names = [s for s in (row["top_signals"] or "").split(";") if s]
    if names:
        said = [f"{_phrase(s, i)} ({math.floor(need[s])}e pct)" if i == 0 else
                f"{_phrase(s, i)} ({math.floor(need[s])}th pct)" for s in names]
        parts.append(("signalen: " if i == 0 else "signals: ") + ", ".join(said))
    excess = row[EXCESS_COLUMN[excess_kind]]
    if excess is not None and abs(excess) >= EXCESS_REASON:
        word = (("boven", "above") if excess > 0 else ("onder", "below"))[i]
        than = EXCESS_THAN[excess_kind][i]
        parts.append(f"jeugdzorg {_num(abs(excess), 1, lang)} procentpunt {word} verwachting {than}" if i == 0
                     else f"youth care {_num(abs(excess), 1, lang)} points {word} expected {than}")
    return "; ".join(parts)


def _phrase(signal: str, lang: int) -> str:
    s = SIGNAL_BY_NAME[signal]
    return (s.high if s.direction > 0 else s.low)[lang]


def priority_list(table: pl.DataFrame, need: pl.DataFrame, share: float, minimum: int,
                  excess: str = "gemeente") -> pl.DataFrame:
    """The priority list (PRIORITY_COLUMNS) from a profiles table with risk_rank; only ranked (ok) wijken.
    `excess` ('gemeente' or 'national') is the excess its reasons report (`EXCESS_COLUMN`)."""
    ranked = table.filter(pl.col("risk_rank").is_not_null())
    n_ok = ranked.group_by("gemeente_code").agg(pl.len().alias("n_ok"))
    chosen = ranked.join(n_ok, on="gemeente_code").filter(
        pl.col("risk_rank") <= pl.max_horizontal(pl.lit(minimum), (pl.col("n_ok") * share).ceil()))
    chosen_need = need.filter(pl.col("region_code").is_in(chosen["region_code"].implode()))
    needs = {r["region_code"]: r for r in chosen_need.iter_rows(named=True)}
    rows = [{"gemeente_code": r["gemeente_code"], "region_code": r["region_code"],
             "priority_rank": r["risk_rank"], "reasons_nl": _reason(r, needs[r["region_code"]], "nl", excess),
             "reasons_en": _reason(r, needs[r["region_code"]], "en", excess)} for r in chosen.iter_rows(named=True)]
    schema = {"gemeente_code": pl.String, "region_code": pl.String, "priority_rank": pl.Int64,
              "reasons_nl": pl.String, "reasons_en": pl.String}
    return pl.DataFrame(rows, schema=schema).sort("gemeente_code", "priority_rank")


def add_forecast_growth(priority: pl.DataFrame, growth: pl.DataFrame) -> pl.DataFrame:
    """Hook for the forecast stage: add the forecast growth (region_code, growth_pct, status) as a reason.

    Adds `growth_pct` (null where the forecast is withheld) and appends the expected growth of the number
    of youths in care to reasons_nl / reasons_en. Call it once per priority frame.
    """
    g = growth.select("region_code", pl.when(pl.col("status") == "ok").then(pl.col("growth_pct"))
                      .otherwise(None).cast(pl.Float64).alias("growth_pct"))
    out = priority.join(g, on="region_code", how="left")
    sign = pl.when(pl.col("growth_pct") > 0).then(pl.lit("+")).otherwise(pl.lit(""))
    pct = pl.col("growth_pct").round(1).cast(pl.String)
    nl = pl.concat_str(pl.lit("; verwachte groei jongeren met jeugdzorg "), sign, pct.str.replace(".", ",",
                                                                                                 literal=True),
                       pl.lit("%"))
    en = pl.concat_str(pl.lit("; forecast growth in youths in care "), sign, pct, pl.lit("%"))
    return out.with_columns(
        pl.when(pl.col("growth_pct").is_not_null()).then(pl.col("reasons_nl") + nl)
        .otherwise(pl.col("reasons_nl")).alias("reasons_nl"),
        pl.when(pl.col("growth_pct").is_not_null()).then(pl.col("reasons_en") + en)
        .otherwise(pl.col("reasons_en")).alias("reasons_en"))
