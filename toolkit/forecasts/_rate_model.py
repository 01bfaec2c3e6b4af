"""The youth-care rate model: one linear model pooled over all Dutch wijken, applied recursively.

For a wijk with log rate `y` at origin t the model predicts the next year's change

    y[t+1] - y[t] = b . (l1 - y, l2 - y, definition flags, g - y, M - y, size-scaled g - y and M - y,
                         gemeente trend, definition-change indicator)

without an intercept, so the point forecast never extrapolates a national year effect (policy unchanged):
- lags pull a noisy last value back toward the wijk's own recent history (CBS rounds counts to 5, so the
  rate of a small wijk jumps); a lag measured under the other definition gets its own coefficient;
- `g - y` and `M - y` shrink toward the gemeente level and toward the level expected from open
  indicators; the size-scaled copies (`sqrt(100 / size)`) let small wijken shrink more than large ones;
- `cross` is 1 for a training pair whose target year uses another definition than its origin (2020 ->
  2021): its coefficient absorbs the level shift of the bridge, and it is 0 for every forecast.

Horizons 2..5 apply the one-year model recursively (the forecast becomes the new last value). Fitted by
ridge least squares on all pairs of consecutive years with data (t, n), n <= origin: nothing after the origin
is used. Where 2023 is missing, the pair 2022 -> 2024 counts as one step with half its change as target.

The class follows scikit-learn's estimator contract (`fit` returns self, `coef_`, predict refuses before
fit), so `sklearn.base.clone` and cross-validation accept it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "FEATURES",
    "RateModel",
    "design",
    "fit_rate_model",
    "select_alpha",
    "forecast_log_rates",
    "training_pairs",
]

FEATURES = (
    "lag1",
    "lag2",
    "lag1_other_def",
    "lag2_other_def",
    "is_lag1_other_def",
    "is_lag2_other_def",
    "to_gemeente",
    "to_structural",
    "to_gemeente_small",
    "to_structural_small",
    "gemeente_trend",
    "definition_change",
)
SIZE_REF = 100.0
ALPHAS = (10.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0)
DEFAULT_ALPHA = 1000.0
MAX_GAP = 2  # years: 2022 -> 2024 is one step (2023 is missing)


def design(state: pl.DataFrame, cross: np.ndarray | None = None) -> np.ndarray:
    """The design matrix of `FEATURES` for rows of `origin_state` (cross: definition change, default 0)."""
    y = state["y"].to_numpy()
    l1 = state["l1"].fill_null(state["y"]).to_numpy()
    l2 = state["l2"].fill_null(state["l1"]).fill_null(state["y"]).to_numpy()
    x1, x2 = state["x1"].cast(pl.Float64).to_numpy(), state["x2"].cast(pl.Float64).to_numpy()
    small = np.sqrt(SIZE_REF / state["size"].to_numpy())
    dg, dm = state["g"].to_numpy() - y, state["M"].to_numpy() - y
    cross = np.zeros(len(y)) if cross is None else cross
    return np.column_stack(
        [
            l1 - y,
            l2 - y,
            (l1 - y) * x1,
            (l2 - y) * x2,
            x1,
            x2,
            dg,
            dm,
            dg * small,
            dm * small,
            state["trend_g"].to_numpy(),
            cross,
        ]
    )


class RateModel(RegressorMixin, BaseEstimator):
    """Ridge regression without intercept of the one-year log-rate change on `design` columns."""

    def __init__(self, *, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: np.ndarray, y: np.ndarray) -> RateModel:  # noqa: N803 (scikit-learn convention)
        """Learn `coef_` from pooled pairs; returns self."""
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or len(X) != len(y) or len(y) == 0:
            raise ValueError("RateModel.fit needs a non-empty 2-D X and a y of the same length.")
        self.coef_ = np.linalg.solve(X.T @ X + self.alpha * np.eye(X.shape[1]), X.T @ y)
        self.n_pairs_ = len(y)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:  # noqa: N803
        """Predicted one-year change of the log rate."""
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=float) @ self.coef_


def training_pairs(states: dict[int, pl.DataFrame], origin: int) -> pl.DataFrame:
    """Rows of the state of year s joined with the log rate of the next year with data n <= origin.

    Where a year is missing (2023), the step is 2 years (2022 -> 2024): its target is the yearly change,
    (y[n] - y[s]) / (n - s), so the model still learns a one-year step. Steps longer than 2 years are skipped.
    """
    years = sorted(states)
    parts = []
    for s, n in zip(years, years[1:], strict=False):
        if n <= origin and n - s <= MAX_GAP:
            nxt = states[n].select(
                "region_code",
                pl.col("y").alias("y_n"),
                pl.col("m").alias("mt"),
            )
            pair = states[s].join(nxt, on="region_code").with_columns(
                (pl.col("y") + (pl.col("y_n") - pl.col("y")) / (n - s)).alias("target"),
                pl.lit(n).alias("target_year"),
                pl.lit(n - s).alias("gap"),
            )
            parts.append(pair.drop("y_n"))
    return pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()


def _fit(pairs: pl.DataFrame, alpha: float) -> RateModel:
    cross = (pairs["mt"] != pairs["m"]).cast(pl.Float64).to_numpy()
    return RateModel(alpha=alpha).fit(design(pairs, cross), (pairs["target"] - pairs["y"]).to_numpy())


def select_alpha(pairs: pl.DataFrame) -> tuple[float, dict[float, float]]:
    """Forward-chaining choice of the ridge penalty on the training pairs only.

    For every target year after the first, fit on the earlier target years and score the one-year MAE
    (rate points) on that year's pairs of one definition. Without such a year, `DEFAULT_ALPHA`.
    """
    years = sorted(pairs["target_year"].unique().to_list())
    scores: dict[float, list[float]] = {a: [] for a in ALPHAS}
    for year in years[1:]:
        train, test = (
            pairs.filter(pl.col("target_year") < year),
            pairs.filter(pl.col("target_year") == year, pl.col("mt") == pl.col("m")),
        )
        if test.is_empty():
            continue
        for a in ALPHAS:
            pred = test["y"].to_numpy() + _fit(train, a).predict(design(test))
            scores[a].append(float(np.mean(np.abs(np.exp(pred) - np.exp(test["target"].to_numpy())))))
    mean = {a: float(np.mean(v)) for a, v in scores.items() if v}
    return (min(mean, key=mean.__getitem__) if mean else DEFAULT_ALPHA), mean


def fit_rate_model(
    states: dict[int, pl.DataFrame], origin: int, alpha: float | None = None
) -> RateModel | None:
    """Fit on every pair up to `origin` (alpha: chosen by `select_alpha` unless given); None without pairs."""
    pairs = training_pairs(states, origin)
    if pairs.is_empty():
        return None
    chosen, _ = select_alpha(pairs) if alpha is None else (alpha, {})
    return _fit(pairs, chosen)


def forecast_log_rates(model: RateModel, state: pl.DataFrame, horizon: int) -> pl.DataFrame:
    """Recursive forecasts: rows region_code x horizon (1..horizon) with the log rate `y_hat`."""
    cur = state
    out = []
    for h in range(1, horizon + 1):
        y_next = cur["y"].to_numpy() + model.predict(design(cur))
        out.append(pl.DataFrame({"region_code": cur["region_code"], "horizon": h, "y_hat": y_next}))
        cur = cur.with_columns(
            pl.col("l1").fill_null(pl.col("y")).alias("l2"),
            pl.col("y").alias("l1"),
            pl.Series("y", y_next),
            pl.col("x1").alias("x2"),
            pl.lit(False).alias("x1"),
        )
    return pl.concat(out).with_columns(pl.col("horizon").cast(pl.Int32))
