"""The fairness audit: do errors, selection and the burden of protection fall unevenly on kinds of wijken?

For every grouping (ethics/_fairness_inputs.py) and metric, fairlearn's `MetricFrame` gives the value per
group; a stratified bootstrap over the wijken of each group (fixed seed: these are open aggregates, not a
privacy release) gives the confidence interval. Each group is compared with all wijken of the grouping:

- error metrics (forecast_mae, model_mae, withheld_share, accuracy_95; lower is better): ratio group/overall;
- selection metrics: ratio in either direction; for need groupings (policy `need_groupings`) only selection
  against the direction of need counts (the neediest group selected less, the least needy more; the groups
  in between are not judged);
- bias metrics: |group bias - overall bias| / overall mean absolute error;
- selection_given_need: selected wijken of a group / the selections its mix of need strata (income thirds)
  predicts, compared with 1 in either direction: unequal selection at equal need. By default this, and not
  the raw selection rate (which differs wherever need differs), is what blocks.

Verdict: `n/a` (niet van toepassing, not applicable) when a grouping has fewer than two groups among the
wijken a metric covers, or fewer than two wijken: a group that is all wijken cannot be compared with all
wijken (a gemeente with a single wijk, or whose wijken are all of one kind). The value and interval are still
shown. Otherwise: above the flag limit -> flag; above the fail limit while the confidence interval is also beyond the
flag limit and the group has at least `min_group_regions` wijken -> fail; else pass. With `on_fail = block`
a fail of a blocking metric raises `FairnessBlock` (exit 4): nothing is written, no priority list leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ethics._fairness_inputs import GROUP_ORDER, GROUPINGS, METRIC_KIND, assign_groups
from ethics._fairness_stats import bootstrap, metric_function, need_side, per_wijk_value, verdict
from ethics.errors import FairnessBlock
from ethics.policy import FairnessPolicy

__all__ = ["FAIRNESS_COLUMNS", "NOT_APPLICABLE", "VERDICTS", "FairnessResult", "audit_fairness", "verdict",
           "metric_function", "comparable_groups"]

NOT_APPLICABLE = "n/a"
VERDICTS = ("pass", "flag", "fail", NOT_APPLICABLE)
FAIRNESS_COLUMNS = ("grouping", "group", "n_regions", "metric", "value", "ci_low", "ci_high", "verdict")
MSG_BLOCK = ("The fairness audit fails for metric '{metric}' in {grouping} = {group} ({value:.3g} against "
             "{ref:.3g} for all wijken; limits in the [fairness] section of the policy file) and the policy "
             "says on_fail = block. Nothing was written and no priority list was published. Run with "
             "on_fail = \"flag\" to see the failure in the audit report and decide with the ethical officer.")
BIAS_SCALE = {"forecast_bias": "forecast_mae", "model_bias": "model_mae"}


@dataclass(frozen=True)
class FairnessResult:
    """fairness.csv (`table`) and the fairness section of audit.json (`audit`)."""

    table: pl.DataFrame
    audit: dict[str, Any] = field(default_factory=dict)


def _metric_frame(metric: str, data: pl.DataFrame, grouping: str):  # noqa: ANN202
    from fairlearn.metrics import MetricFrame

    return MetricFrame(metrics=metric_function(METRIC_KIND[metric]), y_true=data["y_true"].to_numpy(),
                       y_pred=data["y_pred"].to_numpy(), sensitive_features=data[grouping].to_numpy(),
                       sample_params={"sample_weight": data["weight"].to_numpy()})


def _row(grouping: str, group: str, n: int, metric: str, value: float, ci: tuple[float, float],
         v: str) -> dict[str, Any]:
    return {"grouping": grouping, "group": group, "n_regions": n, "metric": metric, "value": value,
            "ci_low": ci[0], "ci_high": ci[1], "verdict": v}


def _rows_for(metric: str, data: pl.DataFrame, grouping: str, policy: FairnessPolicy,
              rng: np.random.Generator, scales: dict[str, float]) -> tuple[list[dict[str, Any]], float]:
    data = data.filter(pl.col(grouping).is_not_null())
    kind = METRIC_KIND[metric]
    values, weights = per_wijk_value(kind, data), data["weight"].to_numpy()
    present = [g for g in GROUP_ORDER[grouping] if g in set(data[grouping].to_list())]
    comparable = comparable_groups(len(present), data.height)
    if comparable:
        mf = _metric_frame(metric, data, grouping)
        ref, by_group = float(mf.overall), {g: float(mf.by_group[g]) for g in present}
    else:  # fairlearn refuses a single wijk; a lone group's value is the overall value
        ref = _weighted(values, weights)
        by_group = dict.fromkeys(present, ref)
    rows = []
    for group in present:
        mask = (data[grouping] == group).to_numpy()
        ci = bootstrap(values[mask], np.ones(int(mask.sum())), weights[mask], policy, rng)
        value, n = by_group[group], int(mask.sum())
        side = need_side(grouping, group, policy)
        v = verdict(kind, value, ci, ref, n, policy, scales.get(metric, 1.0), side) if comparable else NOT_APPLICABLE
        rows.append(_row(grouping, group, n, metric, value, ci, v))
    return rows, ref


def comparable_groups(n_groups: int, n_regions: int) -> bool:
    """Whether a grouping can be judged: at least two groups and two wijken (else the verdict is n/a).

    >>> comparable_groups(3, 12), comparable_groups(1, 12), comparable_groups(2, 1)
    (True, False, False)
    """
    return n_groups >= 2 and n_regions >= 2


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.average(values, weights=weights)) if weights.sum() > 0 else float("nan")


def _given_need(data: pl.DataFrame, policy: FairnessPolicy, rng: np.random.Generator) -> list[dict[str, Any]]:
    """selection_given_need: per group, selected wijken / the selections its need mix predicts.

    Need strata are the groups of the first need grouping (income tercile); each wijk is expected to be
    selected at the rate of its stratum. 1 = selected as need predicts; the verdict compares with 1.
    """
    need = next((g for g in sorted(policy.need_groupings) if g in data.columns), None)
    if need is None:
        return []
    data = data.filter(pl.col(need).is_not_null())
    sel, w = (data["y_pred"] == 1).cast(pl.Float64), data["weight"]
    rate = data.with_columns(sel.alias("s")).group_by(need).agg(
        ((pl.col("s") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("expected"))
    data = data.join(rate, on=need, how="left")
    rows = []
    for grouping in (g for g in GROUPINGS if g not in policy.need_groupings):
        present = [g for g in GROUP_ORDER[grouping] if g in set(data[grouping].drop_nulls().to_list())]
        comparable = comparable_groups(len(present), int(data[grouping].is_not_null().sum()))
        for group in present:
            mask = (data[grouping] == group).to_numpy()
            num, den, wm = sel.to_numpy()[mask], data["expected"].to_numpy()[mask], w.to_numpy()[mask]
            value = float(np.divide((wm * num).sum(), (wm * den).sum())) if (wm * den).sum() > 0 else (
                1.0 if num.sum() == 0 else float("inf"))
            ci = bootstrap(num, den, wm, policy, rng)
            v = verdict("selection", value, ci, 1.0, int(mask.sum()), policy) if comparable else NOT_APPLICABLE
            rows.append(_row(grouping, group, int(mask.sum()), "selection_given_need", value, ci, v))
    return rows


def _scales(inputs: dict[str, pl.DataFrame]) -> dict[str, float]:
    """The overall mean absolute error that scales each bias metric."""
    out = {}
    for bias in BIAS_SCALE:
        if bias in inputs and not inputs[bias].is_empty():
            f = inputs[bias]
            out[bias] = float(np.average(np.abs(f["y_pred"] - f["y_true"]), weights=f["weight"]))
    return out


def audit_fairness(values: pl.DataFrame, inputs: dict[str, pl.DataFrame], policy: FairnessPolicy,
                   context: dict[str, Any] | None = None) -> FairnessResult:
    """Every grouping x group x metric with its interval and verdict; block when the policy says so.

    `values`: the open values behind the groupings per wijk (`grouping_values`); `inputs`: metric name ->
    frame (region_code, y_true, y_pred, weight), one row per wijk; `context`: what the audit section should
    also say (sources, model names).
    """
    rng = np.random.default_rng(policy.bootstrap_seed)
    scales, rows, overall, cuts = _scales(inputs), [], {}, {}
    for metric in sorted(m for m, f in inputs.items() if not f.is_empty()):
        covered = values.filter(pl.col("region_code").is_in(inputs[metric]["region_code"].implode()))
        groups, cuts[metric] = assign_groups(covered)
        data = inputs[metric].join(groups, on="region_code", how="inner")
        for grouping in GROUPINGS:
            if data[grouping].is_not_null().any():
                new, ref = _rows_for(metric, data, grouping, policy, rng, scales)
                rows += new
                overall.setdefault(metric, {})[grouping] = ref
        if metric == "selection_rate":
            rows += (need_rows := _given_need(data, policy, rng))
            overall |= {"selection_given_need": {r["grouping"]: 1.0 for r in need_rows}} if need_rows else {}
    table = _table(rows)
    audit = _audit(table, overall, scales, policy, {"cut_points": cuts, **(context or {})})
    _maybe_block(table, overall, policy)
    return FairnessResult(table=table, audit=audit)


def _table(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {"grouping": pl.String, "group": pl.String, "n_regions": pl.Int64, "metric": pl.String,
              "value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64, "verdict": pl.String}
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col("value", "ci_low", "ci_high").round(4))


def _audit(table: pl.DataFrame, overall: dict[str, dict[str, float]], scales: dict[str, float],
           policy: FairnessPolicy, context: dict[str, Any]) -> dict[str, Any]:
    counts = {v: int((table["verdict"] == v).sum()) for v in VERDICTS}
    worst = "fail" if counts["fail"] else "flag" if counts["flag"] else "pass"
    limits = {k: getattr(policy, k) for k in ("on_fail", "max_ratio_flag", "max_ratio_fail", "max_bias_flag",
                                              "max_bias_fail", "min_group_regions", "n_boot", "ci_level",
                                              "bootstrap_seed")}
    limits |= {"need_groupings": sorted(policy.need_groupings),
               "blocking_metrics": sorted(policy.blocking_metrics)}
    return {"verdict": worst, "counts": counts, "limits": limits, "metrics": sorted(overall),
            "overall": {m: {g: round(v, 4) for g, v in by.items()} for m, by in overall.items()},
            "bias_scale": {m: round(v, 4) for m, v in scales.items()},
            "not_pass": table.filter(pl.col("verdict").is_in(["flag", "fail"])).to_dicts(), **context}


def _maybe_block(table: pl.DataFrame, overall: dict[str, dict[str, float]], policy: FairnessPolicy) -> None:
    if policy.on_fail != "block":
        return
    fails = table.filter(pl.col("verdict") == "fail", pl.col("metric").is_in(sorted(policy.blocking_metrics)))
    if fails.is_empty():
        return
    row = fails.row(0, named=True)
    raise FairnessBlock(MSG_BLOCK.format(metric=row["metric"], grouping=row["grouping"], group=row["group"],
                                         value=row["value"], ref=overall[row["metric"]][row["grouping"]]))
