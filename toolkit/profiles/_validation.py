"""Validation of both expected rates, out of sample, for the model card (audit.json "profiles" / "model").

- National norm: GroupKFold by gemeente (`_crossfit`): no wijk is predicted by a model that saw its gemeente.
- Gemeente-adjusted rate: the norm plus the leave-wijk-out gemeente level (`_gemeente`), with, per gemeente
  fold, the k chosen on the
  other folds only (used in the run: k is never chosen on the wijken it is scored on).
- Scores: R2 and MAE (percentage points) against the observed rate of the reference year, over the wijken
  with at least the policy's minimum youth population and over all wijken with a rate; calibration per decile
  of the expected rate (mean expected vs mean observed; a calibrated rate has them close in every decile).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from toolkit.profiles._catalogue import GROUPS, SIGNAL_BY_NAME
from toolkit.profiles._config import ProfileConfig
from toolkit.profiles._crossfit import CrossFit, oos_scores
from toolkit.profiles._gemeente import K_GRID

__all__ = ["calibration", "validation_audit"]


def calibration(y: np.ndarray, pred: np.ndarray, rows: np.ndarray, n_bins: int = 10) -> list[dict[str, Any]]:
    """Per decile of `pred` over `rows`: n, mean expected and mean observed rate (%), and their difference."""
    keep = rows & np.isfinite(y) & np.isfinite(pred)
    if keep.sum() < n_bins:
        return []
    p, o = pred[keep], y[keep]
    order = np.argsort(p, kind="stable")
    out = []
    for d, part in enumerate(np.array_split(order, n_bins), start=1):
        mp, mo = float(p[part].mean()), float(o[part].mean())
        out.append({"decile": d, "n": int(len(part)), "mean_expected": round(mp, 2), "mean_observed": round(mo, 2),
                    "observed_minus_expected": round(mo - mp, 2)})
    return out


def _scores(y: np.ndarray, pred: np.ndarray, big: np.ndarray) -> dict[str, Any]:
    return {"wijken_min_youth": oos_scores(y, pred, big), "all_wijken": oos_scores(y, pred, np.isfinite(y)),
            "calibration_deciles": calibration(y, pred, big)}


def _target_text(cfg: ProfileConfig) -> str:
    text = "observed rate of the reference year"
    if cfg.pool_years > 1:
        text = (f"rate pooled over the years within {cfg.pool_years} calendar years up to the reference year, one "
                "definition: sum of youth-care counts / sum of estimated youths 0-22 (youth-weighted)")
    return text + (", wijken weighted by precision 1 / (tau2 + sigma2)" if cfg.precision_weights else
                   ", wijken weighted equally")


def validation_audit(features: tuple[str, ...], y: np.ndarray, big: np.ndarray, fit: CrossFit,
                     adjusted: np.ndarray, linear: CrossFit | None, k: tuple[float, list[float]],
                     cfg: ProfileConfig) -> dict[str, Any]:
    """The estimator, training, validation and SHAP parts of the model card (`adjusted`: the gemeente-adjusted
    rate per wijk, leave-wijk-out with per-fold k; `k`: (k on all training wijken, k per fold))."""
    known = np.isfinite(y)
    train = big & known
    params = {n: v for n, v in fit.models[0].get_params().items() if n not in ("feature_names", "excluded")}
    validation: dict[str, Any] = {
        "scheme": f"GroupKFold({fit.n_splits}) by gemeente, out of fold (no wijk is predicted by a model that "
                  "saw its own gemeente); gemeente level leave-wijk-out, k chosen on the other folds",
        "scored_against": "observed youth-care rate of the reference year",
        "model": _scores(y, fit.oof, big),
        "gemeente_adjusted": _scores(y, adjusted, big),
    }
    if linear is not None:
        validation["linear"] = {"wijken_min_youth": oos_scores(y, linear.oof, big),
                                "all_wijken": oos_scores(y, linear.oof, known)}
        validation["linear_model"] = "median imputation, standardisation, ordinary least squares"
    return {
        "estimator": {"name": "ExpectedRateModel (scikit-learn HistGradientBoostingRegressor)", "params": params,
                      "gemeente_passes": cfg.gemeente_passes},
        "training": {"wijken": int((train & np.isfinite(fit.oof)).sum()),
                     "target": _target_text(cfg),
                     "rule": "wijken of the reference year with an observed rate and at least "
                             "min_youth_population youths (policy)"},
        "validation": validation,
        "gemeente_level": {
            "k": k[0], "k_by_fold": k[1],
            "chosen": "given in the profile config" if cfg.shrinkage_k is not None else
            f"by leave-wijk-out mean squared error from {list(K_GRID)}: per gemeente fold on the other folds' "
            "training wijken (used), and on all training wijken (reported, used for a gemeente without "
            "reference-year wijken)",
            "formula": "level = n / (n + k) * youth-weighted mean of (observed - norm) over the OTHER training "
                       "wijken of the gemeente (n of them); the wijk itself never enters its own level"},
        "expected_rate": "national norm, out of fold: the prediction of the fold model that did not see the "
                         "wijk's gemeente (gemeente policy left out on purpose)",
        "expected_rate_gemeente": "the norm plus the gemeente's own level, from its other wijken only",
        "shap": {"method": "shap.TreeExplainer (exact for trees) on the same fold model; base value + group "
                           "contributions = national norm (expected_rate)",
                 "groups": {g: [f for f in features if SIGNAL_BY_NAME[f].group == g] for g in GROUPS}},
    }
