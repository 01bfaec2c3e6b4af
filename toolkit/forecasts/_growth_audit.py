"""The audit.json "growth" part of the forecast section: which growth assumption the backtest chose, why."""

from __future__ import annotations

from typing import Any

from toolkit.forecasts._backtest import Backtest
from toolkit.forecasts._choice import Choice
from toolkit.forecasts._trend import CANDIDATES, TrendEstimate

__all__ = ["GROWTH_RULE", "growth_audit"]

GROWTH_RULE = (
    "Candidates: rates constant; national trend; national trend damped (phi 0.8); national trend plus half "
    "the gemeente's own, damped. The trend is the mean yearly log change of the youth-care rate over pairs "
    "of consecutive years with one definition (gemeente counts per estimated youth where both years have "
    "them; 2022 -> 2024 counts as one 2-year step; never across the 2020/2021 definition change). The "
    "backtest chooses, per level, the candidate with the smallest mean absolute log error over every "
    "forecast made before the origin whose target is <= the origin (gemeente: client totals where CBS counts "
    "exist, size-weighted rates before). The published forecast applies the gemeente-level choice to every "
    "wijk of the gemeente (one factor per gemeente keeps the gemeente row the sum of its children). "
    "Gemeente options also come 'top_down_': the total starts from the gemeente's own count x its youth "
    "growth x the trend, and the wijk forecasts only split it. The "
    "other assumption is published beside it as a second scenario at gemeente level."
)


def growth_audit(bt: Backtest, chosen: Choice, other: Choice, trend: TrendEstimate) -> dict[str, Any]:
    """Choice per level, scores of every candidate, the trend estimate and the choice made at each origin."""
    return {
        "rule": GROWTH_RULE,
        "chosen": chosen.name,
        "alternative_published": other.name,
        "chosen_by_level": {level: c.name for level, c in bt.choice.items()},
        "mean_abs_log_error_by_level": bt.scores,
        "candidates": [{"name": c.name, "damping_phi": c.phi if c.national else None,
                        "gemeente_share_lambda": c.lam} for c in CANDIDATES],
        "trend": trend.as_dict(),
        "choice_at_each_backtest_origin": {str(k): v for k, v in bt.choices_by_origin.items()},
    }
