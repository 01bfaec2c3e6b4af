"""80% and 95% intervals: split conformal on out-of-sample errors by horizon, then widened for input noise.

1. Scores. Every rolling-origin forecast made before the calibration time gives a log error
   `e = log(actual) - log(forecast)`. Small wijken err more (CBS rounding of small counts), so scores are
   normalised: `s = |e| / sigma` with `sigma = (size / ref) ** -beta`, where beta comes from the slope of
   `log(e**2)` on `log(size)` over the same errors (clipped to [0, 0.5]) and ref is their median size.
2. Quantiles per horizon h: the conformal quantile of the scores (rank ceil((n + 1) * level)). A horizon
   with fewer than `MIN_SCORES` scores borrows the nearest shorter calibrated horizon h* and scales it by
   sqrt(h / h*) (random-walk growth); this is how horizons 4-5 get an interval from a short panel. A
   horizon's quantile is never below a shorter horizon's (few long-horizon errors can come out narrower).
3. Interval: `forecast * exp(+/- q * sigma)`: multiplicative, so never negative.
4. Widening (`widen`): in counts, the half-widths are combined in quadrature with `z * sd` of the noise in
   the inputs: CBS rounding of counts to a multiple of `base` (uniform, sd = base / sqrt(12)) and, when
   records were used, the Laplace/geometric noise of the privacy gate (its sd). Lower bounds stay >= 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

__all__ = ["LEVELS", "MIN_SCORES", "Calibration", "add_intervals", "calibrate", "rounding_sd", "widen"]

LEVELS = (0.80, 0.95)
Z = {0.80: 1.2816, 0.95: 1.9600}
MIN_SCORES = 50


@dataclass(frozen=True)
class Calibration:
    """Conformal score quantiles per horizon and level, and the size normalisation they assume."""

    beta: float
    ref_size: float
    quantiles: dict[int, dict[float, float]] = field(default_factory=dict)
    n_scores: dict[int, int] = field(default_factory=dict)

    def quantile(self, horizon: int, level: float) -> float:
        """Score quantile for `horizon`, extrapolated by sqrt(h / h*) beyond the calibrated horizons and
        never below that of a shorter horizon (a later year is never known better than an earlier one)."""
        return max(self._quantile(h, level) for h in range(1, max(horizon, 1) + 1))

    def _quantile(self, horizon: int, level: float) -> float:
        known = [h for h in self.quantiles if h <= horizon] or sorted(self.quantiles)[:1]
        h_star = max(known)
        return self.quantiles[h_star][level] * math.sqrt(max(horizon, 1) / h_star)

    def sigma(self, size: pl.Expr) -> pl.Expr:
        """Per-wijk scale of the log error."""
        return (size / self.ref_size) ** (-self.beta)


def _beta(err: np.ndarray, size: np.ndarray) -> float:
    ok = (np.abs(err) > 1e-9) & (size > 0)
    if ok.sum() < MIN_SCORES:
        return 0.0
    slope = np.polyfit(np.log(size[ok]), np.log(err[ok] ** 2), 1)[0]
    return float(np.clip(-slope / 2, 0.0, 0.5))


def _conformal(scores: np.ndarray, level: float) -> float:
    n = len(scores)
    rank = min(n, math.ceil((n + 1) * level))
    return float(np.sort(scores)[rank - 1])


def calibrate(errors: pl.DataFrame) -> Calibration | None:
    """Calibration from a frame with `horizon`, `log_error` and `size`; None when too few errors."""
    errors = errors.filter(pl.col("log_error").is_finite())
    if errors.height < MIN_SCORES:
        return None
    err, size = errors["log_error"].to_numpy(), errors["size"].to_numpy()
    beta, ref = _beta(err, size), float(np.median(size))
    scores = errors.with_columns((pl.col("log_error").abs() / (pl.col("size") / ref) ** (-beta)).alias("s"))
    quantiles, counts = {}, {}
    for h, part in scores.group_by("horizon"):
        if part.height >= MIN_SCORES:
            s = part["s"].to_numpy()
            quantiles[int(h[0])] = {lv: _conformal(s, lv) for lv in LEVELS}  # type: ignore[arg-type]
            counts[int(h[0])] = part.height  # type: ignore[arg-type]
    return Calibration(beta, ref, quantiles, counts) if quantiles else None


def add_intervals(
    frame: pl.DataFrame, cal: Calibration, point: str = "y_hat", size: str = "size"
) -> pl.DataFrame:
    """Add lo80/hi80/lo95/hi95 (in the unit of exp(point)) to a frame with `horizon`, `point`, `size`."""
    hs = sorted({int(h) for h in frame["horizon"].unique().to_list()})
    q = pl.DataFrame(
        {
            "horizon": hs,
            "q80": [cal.quantile(h, 0.80) for h in hs],
            "q95": [cal.quantile(h, 0.95) for h in hs],
        },
        schema_overrides={"horizon": frame.schema["horizon"]},
    )
    sig = cal.sigma(pl.col(size))
    return (
        frame.join(q, on="horizon", how="left")
        .with_columns(
            (pl.col(point) - pl.col("q80") * sig).exp().alias("lo80"),
            (pl.col(point) + pl.col("q80") * sig).exp().alias("hi80"),
            (pl.col(point) - pl.col("q95") * sig).exp().alias("lo95"),
            (pl.col(point) + pl.col("q95") * sig).exp().alias("hi95"),
        )
        .drop("q80", "q95")
    )


def rounding_sd(base: int) -> float:
    """Standard deviation of the error of rounding a count to a multiple of `base` (uniform)."""
    return base / math.sqrt(12)


def widen(point: pl.Expr, bound: pl.Expr, sd: pl.Expr | float, level: float, upper: bool) -> pl.Expr:
    """A bound moved away from `point` so its half-width is sqrt(half**2 + (z * sd)**2); lower >= 0."""
    sd_expr = sd if isinstance(sd, pl.Expr) else pl.lit(sd)
    half = ((bound - point) ** 2 + (Z[level] * sd_expr) ** 2).sqrt()
    return point + half if upper else (point - half).clip(lower_bound=0.0)
