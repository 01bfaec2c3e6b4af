"""Settings of the profile stage, as one frozen value (defaults documented in the modules that use them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["PRIORITY_EXCESS", "ProfileConfig"]

PRIORITY_EXCESS = ("gemeente", "national")


@dataclass(frozen=True, slots=True)
class ProfileConfig:
    """Settings of the profile stage.

    Args:
        top_signals: how many top signals a wijk lists (`_priority.top_signals`).
        n_types: number of wijk types (`_typology`).
        random_state: seed of the model and the types, fixed so runs are identical.
        n_splits: gemeente-grouped folds of the expected-rate model (`_crossfit`).
        priority_share, priority_min: how many ok wijken per gemeente make the priority list.
        lang: language of the `typology` column of profiles.csv ('nl' or 'en').
        priority_excess: which excess the priority list reports: 'gemeente' (observed minus the
            gemeente-adjusted expected rate, the default) or 'national' (minus the national norm).
        shrinkage_k: k of the gemeente level's shrinkage n / (n + k); None: chosen by validation (`_gemeente`).
        pool_years: the norm learns from the rate pooled over this many calendar years up to the reference
            year (same definition only; 1: the reference year alone), see `_target`.
        precision_weights: weight wijken by the precision of their (pooled) rate when fitting the norm.
        gemeente_passes: refits of each fold model without its training gemeenten' own levels (`_crossfit`).
    """

    top_signals: int = 3
    n_types: int = 6
    random_state: int = 0
    n_splits: int = 5
    priority_share: float = 0.25
    priority_min: int = 3
    lang: str = "nl"
    priority_excess: str = "gemeente"
    shrinkage_k: float | None = None
    pool_years: int = 1
    precision_weights: bool = False
    gemeente_passes: int = 1

    def __post_init__(self) -> None:
        if self.priority_excess not in PRIORITY_EXCESS:
            raise ValueError(f"priority_excess must be 'gemeente' or 'national'. Got {self.priority_excess!r}.")
        if not ((self.shrinkage_k is None or self.shrinkage_k >= 0) and self.pool_years >= 1
                and self.gemeente_passes >= 0):
            raise ValueError("shrinkage_k must be None or >= 0, pool_years >= 1 and gemeente_passes >= 0.")
        if self.lang not in ("nl", "en"):
            raise ValueError(f"lang must be 'nl' or 'en'. Got {self.lang!r}.")
        if not (self.top_signals >= 1 and self.n_types >= 2 and self.n_splits >= 2):
            raise ValueError("top_signals must be >= 1, n_types and n_splits >= 2.")
        if not (0 < self.priority_share <= 1 and self.priority_min >= 0):
            raise ValueError("priority_share must be in (0, 1] and priority_min >= 0.")

    @classmethod
    def of(cls, config: Any) -> ProfileConfig:
        """A ProfileConfig from None, itself, or a RunConfig (its top_signals, lang and priority_excess)."""
        if config is None or isinstance(config, cls):
            return config or cls()
        return cls(top_signals=getattr(config, "top_signals", 3), lang=getattr(config, "lang", "nl"),
                   priority_excess=getattr(config, "priority_excess", "gemeente"))
