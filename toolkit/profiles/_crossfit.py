"""Grouped cross-fitting by gemeente: out-of-fold predictions for every wijk, and the fold models.

Folds are whole gemeenten (scikit-learn's GroupKFold, deterministic), so no wijk is ever predicted by a
model that saw another wijk of its own gemeente: a gemeente's own policy and registration habits cannot leak
into its expected rate. Every wijk gets the prediction of the model of its gemeente's fold, also wijken that
were not used for training (too small, or rate withheld); training uses only the rows in `train`.

Optional `sample_weight` (precision weights, `_target`) is passed to every fold fit. With `gemeente_passes`
> 0 each fold model is refitted on the target minus its training gemeenten' own levels (the shrunk mean
in-sample residual per gemeente, k = `PASS_K`), as mixed-effects trees do: the trees then learn how wijken
differ from the rest of their gemeente rather than how gemeenten differ in policy, and the norm is the rate
of a wijk with this profile in an average gemeente. Only training rows of the fold enter these levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ethics.errors import InputDataError

__all__ = ["CrossFit", "PASS_K", "cross_fit", "oos_scores"]

PASS_K = 2.0

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


def _fit(estimator: Any, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None) -> Any:
    from sklearn.base import clone

    model = clone(estimator)
    if weight is None:
        return model.fit(X, y)
    if hasattr(model, "steps"):  # a Pipeline: route the weights to its last step
        return model.fit(X, y, **{f"{model.steps[-1][0]}__sample_weight": weight})
    return model.fit(X, y, sample_weight=weight)


def _without_gemeente_level(model: Any, X: np.ndarray, y: np.ndarray, groups: np.ndarray,
                            weight: np.ndarray | None) -> np.ndarray:
    from toolkit.profiles._gemeente import shrink

    residual = y - model.predict(X)
    _, group = np.unique(groups, return_inverse=True)
    w = np.ones(len(y)) if weight is None else weight
    s, ws = np.bincount(group, residual * w), np.bincount(group, w)
    level = shrink(np.bincount(group), PASS_K) * s / np.where(ws > 0, ws, 1.0)
    return y - level[group]


def cross_fit(estimator: Any, X: np.ndarray, y: np.ndarray, groups: np.ndarray, train: np.ndarray,
              n_splits: int = 5, sample_weight: np.ndarray | None = None, gemeente_passes: int = 0) -> CrossFit:
    """Fit a clone of `estimator` per gemeente fold on the `train` rows; predict every row out of fold."""
    from toolkit.profiles._expected import single_thread

    train = train & np.isfinite(y)
    if sample_weight is not None:
        train = train & np.isfinite(sample_weight)
    fold = _folds(groups, train, n_splits)
    oof = np.full(len(y), np.nan)
    models = []
    for k in range(int(fold.max()) + 1):
        rows = train & (fold != k)
        if not rows.any():
            raise InputDataError(MSG_TOO_FEW.format(n=len(np.unique(groups[train]))))
        w = None if sample_weight is None else sample_weight[rows]
        with single_thread():
            model = _fit(estimator, X[rows], y[rows], w)
            for _ in range(gemeente_passes):
                model = _fit(estimator, X[rows], _without_gemeente_level(model, X[rows], y[rows], groups[rows], w),
                             w)
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
