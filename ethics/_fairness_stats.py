"""The statistics of the fairness audit: fairlearn metric functions, the stratified bootstrap, verdicts.

Each group is compared with a reference (all wijken of the grouping, or 1 for a ratio to what need
predicts): ratios for errors, burden and selection, the gap as a share of the overall mean absolute error
for signed bias. See ethics/fairness.py for the rules in words.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ethics._fairness_inputs import MOST_NEED
from ethics.policy import FairnessPolicy

__all__ = ["metric_function", "per_wijk_value", "bootstrap", "need_side", "verdict"]


def metric_function(kind: str) -> Callable[..., float]:
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


def per_wijk_value(kind: str, frame: pl.DataFrame) -> np.ndarray:
    """The value whose weighted mean over a group is the metric (|error|, error or selected 0/1)."""
    diff = frame["y_pred"].to_numpy() - frame["y_true"].to_numpy()
    if kind == "error":
        return np.abs(diff)
    if kind == "selection":
        return (frame["y_pred"].to_numpy() == 1).astype(float)
    return diff


def bootstrap(num: np.ndarray, den: np.ndarray, weights: np.ndarray, policy: FairnessPolicy,
              rng: np.random.Generator) -> tuple[float, float]:
    """Percentile interval of sum(w * num) / sum(w * den), resampling the group's own wijken.

    With `den` all ones this is the weighted mean. A resample with nothing in the denominator counts as
    1 when the numerator is empty too (nothing expected, nothing seen) and as infinite otherwise.
    """
    idx = rng.integers(0, len(num), size=(policy.n_boot, len(num)))
    w = weights[idx]
    top, bottom = (w * num[idx]).sum(axis=1), (w * den[idx]).sum(axis=1)
    stats = np.divide(top, bottom, out=np.where(top > 0, np.inf, 1.0), where=bottom > 0)
    tail = (1 - policy.ci_level) / 2
    lo, hi = np.quantile(stats, [tail, 1 - tail], method="inverted_cdf")
    return float(lo), float(hi)


def need_side(grouping: str, group: str, policy: FairnessPolicy) -> str | None:
    """For need groupings: is this the group with the most need, the least, or in between."""
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
    """pass / flag / fail for one group's metric against its reference.

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
