"""The fairness audit: do errors, selection and the burden of protection fall unevenly on kinds of wijken?

For every grouping (ethics/_fairness_inputs.py) and metric, fairlearn's `MetricFrame` gives the value per
group; a stratified bootstrap over the wijken of each group (fixed seed: these are open aggregates, not a
privacy release) gives the confidence interval. Each group is compared with all wijken of the grouping:

- error metrics (forecast_mae, model_mae, withheld_share, accuracy_95; lower is better): ratio group/overall;
- selection metrics: ratio in either direction; for need groupings (policy `need_groupings`) only selection
  against the direction of need counts (the neediest group selected less, the least needy more; the groups
  in between are not judged);
- bias metrics: |group bias - overall bias| / overall mean absolute error.

Verdict: above the flag limit -> flag; above the fail limit while the confidence interval is also beyond the
flag limit and the group has at least `min_group_regions` wijken -> fail; else pass. With `on_fail = block`
a fail of a blocking metric raises `FairnessBlock` (exit 4): nothing is written, no priority list leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ethics._fairness_inputs import GROUP_ORDER, GROUPINGS, METRIC_KIND, MOST_NEED, assign_groups
from ethics.errors import FairnessBlock
from ethics.policy import FairnessPolicy

__all__ = ["FAIRNESS_COLUMNS", "FairnessResult", "audit_fairness", "verdict", "metric_function"]

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


def metric_function(kind: str):  # noqa: ANN201 - a metric callable for fairlearn
    """The fairlearn metric for a metric kind: (y_true, y_pred, sample_weight) -> float."""
    from fairlearn.metrics import selection_rate
    from sklearn.metrics import mean_absolute_error

    if kind == "error":
        return mean_absolute_error
    if kind == "selection":
        return selection_rate

    def signed_bias(y_true, y_pred, sample_weight=None) -> float:  # noqa: ANN001
        return float(np.average(np.asarray(y_pred) - np.asarray(y_true), weights=sample_weight))

    return signed_bias


def _per_wijk_value(kind: str, frame: pl.DataFrame) -> np.ndarray:
    diff = frame["y_pred"].to_numpy() - frame["y_true"].to_numpy()
    if kind == "error":
        return np.abs(diff)
    if kind == "selection":
        return (frame["y_pred"].to_numpy() == 1).astype(float)
    return diff


def _bootstrap(values: np.ndarray, weights: np.ndarray, policy: FairnessPolicy,
               rng: np.random.Generator) -> tuple[float, float]:
    """Percentile interval of the weighted mean, resampling the group's own wijken."""
    idx = rng.integers(0, len(values), size=(policy.n_boot, len(values)))
    w = weights[idx]
    stats = (w * values[idx]).sum(axis=1) / np.where(w.sum(axis=1) > 0, w.sum(axis=1), np.nan)
    tail = (1 - policy.ci_level) / 2
    lo, hi = np.nanquantile(stats, [tail, 1 - tail])
    return float(lo), float(hi)


def _metric_frame(metric: str, data: pl.DataFrame, grouping: str):  # noqa: ANN202
    from fairlearn.metrics import MetricFrame

    return MetricFrame(metrics=metric_function(METRIC_KIND[metric]), y_true=data["y_true"].to_numpy(),
                       y_pred=data["y_pred"].to_numpy(), sensitive_features=data[grouping].to_numpy(),
                       sample_params={"sample_weight": data["weight"].to_numpy()})


def _need_side(grouping: str, group: str, policy: FairnessPolicy) -> str | None:
    if grouping not in policy.need_groupings or grouping not in MOST_NEED:
        return None
    most, least = MOST_NEED[grouping]
    return "most" if group == most else "least" if group == least else "between"


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return 1.0 if a == 0 else float("inf")
    return a / b


def _disparity(kind: str, value: float, ci: tuple[float, float], ref: float, scale: float,
               side: str | None) -> tuple[float, float]:
    """(point disparity, disparity of the interval end nearest the reference)."""
    if kind == "bias":
        near = 0.0 if ci[0] <= ref <= ci[1] else min(abs(ci[0] - ref), abs(ci[1] - ref))
        return _ratio(abs(value - ref), scale), _ratio(near, scale)
    if kind == "error":
        return _ratio(value, ref), _ratio(ci[0], ref)
    over, under = (_ratio(value, ref), _ratio(ci[0], ref)), (_ratio(ref, value), _ratio(ref, ci[1]))
    options = {"most": [under], "least": [over], "between": [(1.0, 1.0)], None: [over, under]}[side]
    return max(options)


def verdict(kind: str, value: float, ci: tuple[float, float], ref: float, n_regions: int,
            policy: FairnessPolicy, scale: float = 1.0, side: str | None = None) -> str:
    """pass / flag / fail for one group's metric against the level of all wijken (see the module docstring).

    >>> from ethics.policy import FairnessPolicy
    >>> policy = FairnessPolicy()
    >>> verdict("error", 1.25, (1.2, 1.3), 1.0, 40, policy)
    'pass'
    >>> verdict("error", 1.6, (1.3, 1.9), 1.0, 40, policy)
    'fail'
    """
    point, near = _disparity(kind, value, ci, ref, scale, side)
    flag, fail = ((policy.max_bias_flag, policy.max_bias_fail) if kind == "bias"
                  else (policy.max_ratio_flag, policy.max_ratio_fail))
    if point > fail and near > flag and n_regions >= policy.min_group_regions:
        return "fail"
    return "flag" if point > flag else "pass"


def _rows_for(metric: str, data: pl.DataFrame, grouping: str, policy: FairnessPolicy,
              rng: np.random.Generator, scales: dict[str, float]) -> tuple[list[dict[str, Any]], float]:
    data = data.filter(pl.col(grouping).is_not_null())
    mf = _metric_frame(metric, data, grouping)
    ref, kind = float(mf.overall), METRIC_KIND[metric]
    values = _per_wijk_value(kind, data)
    rows = []
    order = [g for g in GROUP_ORDER[grouping] if g in set(data[grouping].to_list())]
    for group in order:
        mask = (data[grouping] == group).to_numpy()
        ci = _bootstrap(values[mask], data["weight"].to_numpy()[mask], policy, rng)
        value = float(mf.by_group[group])
        n = int(data.filter(pl.col(grouping) == group)["region_code"].n_unique())
        side = _need_side(grouping, group, policy)
        v = verdict(kind, value, ci, ref, n, policy, scales.get(metric, 1.0), side)
        rows.append({"grouping": grouping, "group": group, "n_regions": n, "metric": metric, "value": value,
                     "ci_low": ci[0], "ci_high": ci[1], "verdict": v})
    return rows, ref


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
    counts = {v: int((table["verdict"] == v).sum()) for v in ("pass", "flag", "fail")}
    worst = "fail" if counts["fail"] else "flag" if counts["flag"] else "pass"
    limits = {k: getattr(policy, k) for k in ("on_fail", "max_ratio_flag", "max_ratio_fail", "max_bias_flag",
                                              "max_bias_fail", "min_group_regions", "n_boot", "ci_level",
                                              "bootstrap_seed")}
    limits |= {"need_groupings": sorted(policy.need_groupings),
               "blocking_metrics": sorted(policy.blocking_metrics)}
    return {"verdict": worst, "counts": counts, "limits": limits, "metrics": sorted(overall),
            "overall": {m: {g: round(v, 4) for g, v in by.items()} for m, by in overall.items()},
            "bias_scale": {m: round(v, 4) for m, v in scales.items()},
            "not_pass": table.filter(pl.col("verdict") != "pass").to_dicts(), **context}


def _maybe_block(table: pl.DataFrame, overall: dict[str, dict[str, float]], policy: FairnessPolicy) -> None:
    if policy.on_fail != "block":
        return
    fails = table.filter(pl.col("verdict") == "fail", pl.col("metric").is_in(sorted(policy.blocking_metrics)))
    if fails.is_empty():
        return
    row = fails.row(0, named=True)
    raise FairnessBlock(MSG_BLOCK.format(metric=row["metric"], grouping=row["grouping"], group=row["group"],
                                         value=row["value"], ref=overall[row["metric"]][row["grouping"]]))
