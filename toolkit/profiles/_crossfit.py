"""Grouped cross-fitting by gemeente: out-of-fold predictions for every wijk, and the fold models.

Folds are whole gemeenten (scikit-learn's GroupKFold, deterministic), so no wijk is ever predicted by a
model that saw another wijk of its own gemeente: a gemeente's own policy and registration habits cannot leak
into its expected rate. Every wijk gets the prediction of the model of its gemeente's fold, also wijken that
were not used for training (too small, or rate withheld); training uses only the rows in `train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ethics.errors import InputDataError

__all__ = ["CrossFit", "cross_fit", "oos_scores"]

MSG_TOO_FEW = ("The expected-rate model needs wijken with a youth-care rate in at least 2 gemeenten for "
               "grouped validation; the indicator data have {n}.")


@dataclass(frozen=True)
class CrossFit:
    """Out-of-fold predictions (`oof`, one per row), the fold of each row and the fitted fold models."""

    oof: np.ndarray
    fold: np.ndarray
    models: tuple[Any, ...]

    @property
    def n_splits(self) -> int:
        """Number of folds."""
        return len(self.models)


def _folds(groups: np.ndarray, train: np.ndarray, n_splits: int) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    n_groups = len(np.unique(groups[train]))
    if n_groups < 2:
        raise InputDataError(MSG_TOO_FEW.format(n=n_groups))
    k = min(n_splits, len(np.unique(groups)))
    fold = np.empty(len(groups), dtype=np.int64)
    for i, (_, test) in enumerate(GroupKFold(n_splits=k).split(groups, groups=groups)):
        fold[test] = i
    return fold


def cross_fit(estimator: Any, X: np.ndarray, y: np.ndarray, groups: np.ndarray, train: np.ndarray,
              n_splits: int = 5) -> CrossFit:
    """Fit a clone of `estimator` per gemeente fold on the `train` rows; predict every row out of fold."""
    from sklearn.base import clone

    from toolkit.profiles._expected import single_thread

    train = train & np.isfinite(y)
    fold = _folds(groups, train, n_splits)
    oof = np.full(len(y), np.nan)
    models = []
    for k in range(int(fold.max()) + 1):
        fit_rows = train & (fold != k)
        if not fit_rows.any():
            raise InputDataError(MSG_TOO_FEW.format(n=len(np.unique(groups[train]))))
        with single_thread():
            model = clone(estimator).fit(X[fit_rows], y[fit_rows])
            oof[fold == k] = model.predict(X[fold == k])
        models.append(model)
    return CrossFit(oof=oof, fold=fold, models=tuple(models))


def oos_scores(y: np.ndarray, pred: np.ndarray, rows: np.ndarray) -> dict[str, float | int]:
    """Out-of-sample R2 and MAE over `rows` (where both are known)."""
    from sklearn.metrics import mean_absolute_error, r2_score

    keep = rows & np.isfinite(y) & np.isfinite(pred)
    if keep.sum() < 2:
        return {"r2": float("nan"), "mae": float("nan"), "n": int(keep.sum())}
    return {"r2": round(float(r2_score(y[keep], pred[keep])), 3),
            "mae": round(float(mean_absolute_error(y[keep], pred[keep])), 3), "n": int(keep.sum())}
