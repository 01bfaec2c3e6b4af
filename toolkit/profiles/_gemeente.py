"""The gemeente's own level: leave-wijk-out, shrunk toward zero, with the shrinkage chosen by validation.

The national norm leaves gemeente policy out on purpose. The gemeente-adjusted expected rate adds it back:

    expected_rate_gemeente(wijk) = norm(wijk) + n / (n + k) * mean_w(observed - norm over the OTHER wijken)

The mean runs over the other wijken of the wijk's gemeente that the model trains on (observed rate of the
reference year and at least the policy's minimum youth population), weighted by youth population (larger
wijken have less noisy rates); n is how many there are. The wijk itself never enters its own gemeente level
(leave-wijk-out), and the norm of those other wijken is their out-of-fold norm (a model that never saw the
gemeente), so no observed rate of the wijk reaches its own expected rate. A gemeente with one wijk (n = 0)
gets no level at all: its adjusted rate is the norm.

`choose_k` picks k from `K_GRID` by the leave-wijk-out mean squared error over the wijken that the model
trains on. `nested_k` does the same for each gemeente fold using only the other folds' gemeenten; the run
uses these per-fold k, so not even the choice of k ever sees a wijk's own rate (nor its gemeente's), and the
validation figures of the adjusted rate do not profit from choosing k on the wijken they are measured on.

Example (synthetic): three wijken of one gemeente, residuals +2, +4 and 0 with equal weights and k = 1:
    >>> eff = leave_one_out(np.array([2.0, 4.0, 0.0]), np.ones(3), np.array([0, 0, 0]), 1.0)
    >>> [round(float(v), 3) for v in eff]  # 2/3 * mean of the two others
    [1.333, 0.667, 2.0]
"""

from __future__ import annotations

import numpy as np

__all__ = ["K_GRID", "leave_one_out", "effects_for", "choose_k", "nested_k", "shrink"]

K_GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)


def shrink(n: np.ndarray, k: float | np.ndarray) -> np.ndarray:
    """The shrinkage factor n / (n + k); 0 where n = 0 (no other wijk: no gemeente level)."""
    n = np.asarray(n, dtype=float)
    return np.where(n > 0, n / np.maximum(n + k, 1e-12), 0.0)


def _sums(residual: np.ndarray, weight: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, ...]:
    known = np.isfinite(residual)
    rw = np.where(known, residual * weight, 0.0)
    w = np.where(known, weight, 0.0)
    n_groups = int(group.max()) + 1 if len(group) else 0
    return (np.bincount(group, rw, n_groups), np.bincount(group, w, n_groups),
            np.bincount(group, known.astype(float), n_groups), rw, w, known.astype(float))


def leave_one_out(residual: np.ndarray, weight: np.ndarray, group: np.ndarray, k: float) -> np.ndarray:
    """Per row: the shrunk weighted mean residual of the OTHER rows of its group (NaN residual = not used)."""
    s, w, n, rw, ww, nn = _sums(residual, weight, group)
    s, w, n = s[group] - rw, w[group] - ww, n[group] - nn
    mean = np.where(w > 0, s / np.where(w > 0, w, 1.0), 0.0)
    return shrink(n, k) * mean


def effects_for(residual: np.ndarray, weight: np.ndarray, codes: np.ndarray, gemeenten: np.ndarray,
                scope_codes: np.ndarray, scope_gemeenten: np.ndarray,
                k: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gemeente level and n for other rows (`scope_*`): from the training rows of the same gemeente, without
    the training row that has the scope row's own region code (k: one value or one per scope row).
    Returns (level, n_other_wijken)."""
    index = {g: i for i, g in enumerate(np.unique(np.concatenate([gemeenten, scope_gemeenten])))}
    group = np.array([index[g] for g in gemeenten], dtype=np.int64)
    s, w, n, rw, ww, nn = _sums(residual, weight, group)
    own = dict(zip(codes.tolist(), range(len(codes)), strict=True))
    out_s, out_w, out_n = (np.zeros(len(scope_codes)) for _ in range(3))
    for i, (code, gem) in enumerate(zip(scope_codes.tolist(), scope_gemeenten.tolist(), strict=True)):
        g = index[gem]
        j = own.get(code)
        same = j is not None and group[j] == g
        out_s[i] = s[g] - (rw[j] if same else 0.0)
        out_w[i] = w[g] - (ww[j] if same else 0.0)
        out_n[i] = n[g] - (nn[j] if same else 0.0)
    mean = np.where(out_w > 0, out_s / np.where(out_w > 0, out_w, 1.0), 0.0)
    return shrink(out_n, k) * mean, out_n


def _mse(y: np.ndarray, norm: np.ndarray, weight: np.ndarray, group: np.ndarray, rows: np.ndarray,
         k: float) -> float:
    residual = np.where(rows, y - norm, np.nan)
    pred = norm + leave_one_out(residual, weight, group, k)
    keep = rows & np.isfinite(y) & np.isfinite(pred)
    return float(np.mean((y[keep] - pred[keep]) ** 2)) if keep.any() else float("inf")


def choose_k(y: np.ndarray, norm: np.ndarray, weight: np.ndarray, group: np.ndarray, rows: np.ndarray,
             grid: tuple[float, ...] = K_GRID) -> float:
    """The k of `grid` with the lowest leave-wijk-out mean squared error over `rows` (ties: the larger k)."""
    errors = [_mse(y, norm, weight, group, rows, k) for k in grid]
    best = min(errors)
    return max(k for k, e in zip(grid, errors, strict=True) if e <= best)


def nested_k(y: np.ndarray, norm: np.ndarray, weight: np.ndarray, group: np.ndarray, rows: np.ndarray,
             fold: np.ndarray, grid: tuple[float, ...] = K_GRID) -> tuple[np.ndarray, list[float]]:
    """Leave-wijk-out adjusted rate per row with, per gemeente fold, the k chosen on the other folds only."""
    residual = np.where(rows, y - norm, np.nan)
    adjusted = np.full(len(y), np.nan)
    chosen = []
    for f in range(int(fold.max()) + 1):
        k = choose_k(y, norm, weight, group, rows & (fold != f), grid)
        chosen.append(k)
        mine = fold == f
        adjusted[mine] = (norm + leave_one_out(residual, weight, group, k))[mine]
    return adjusted, chosen
