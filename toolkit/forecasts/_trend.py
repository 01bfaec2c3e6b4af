"""Growth a budget can carry: a national and gemeente trend of the youth-care rate, damped, or none.

The rate model (`_rate_model`) has no intercept: on its own it assumes that rates never move nationally.
This module estimates, at a forecast origin T and from data of years <= T only, how fast rates moved:

- steps: every pair of consecutive years with data (a, b), b - a = 1 or 2 (2023 is missing, so 2022 -> 2024
  is one 2-year step), whose two years share one rate definition or both have gemeente counts (counts
  per estimated youth are one definition in every year). A step's yearly change is the national
  log change divided by b - a: where both years have gemeente counts (2021 onwards), the change of
  sum(clients) / sum(youths 0-22) over the gemeenten present in both years; otherwise the median log change
  of the rates of the wijken present in both years. Steps across a definition change (2020 -> 2021
  kwb_pct -> count_bridge) are never used.
- `mu`: the national trend, the mean yearly change over all steps, weighted by their years.
- `tau`: per gemeente, the yearly log change of its own rate over its latest step (counts where the
  gemeente has them, otherwise its wijken's median); null (-> `mu`) when the gemeente has no such step.

A `Candidate` turns these into a log offset added to the model's forecast at horizon h:
`(mu + lam * (tau - mu)) * (1 + phi + ... + phi ** (h - 1))`: `phi` < 1 damps the trend (it fades), `lam`
is how much of the gemeente's own trend is believed. `CONSTANT` is the offset 0 (rates constant). The
backtest scores every candidate on out-of-sample years before the origin and chooses per level
(`_backtest.choose`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["CANDIDATES", "CONSTANT", "Candidate", "TrendEstimate", "estimate_trend", "offset_expr"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way to carry growth: national trend, a share `lam` of the gemeente's own, damping `phi`."""

    name: str
    phi: float = 1.0
    lam: float = 0.0
    national: bool = True

    def steps(self, horizon: int) -> float:
        """Sum of the damped yearly steps up to `horizon` (h when undamped)."""
        return float(sum(self.phi**k for k in range(horizon))) if self.national else 0.0


CONSTANT = Candidate("rates_constant", national=False)
CANDIDATES = (
    CONSTANT,
    Candidate("national_trend", phi=1.0),
    Candidate("national_trend_damped", phi=0.8),
    Candidate("national_gemeente_trend_damped", phi=0.8, lam=0.5),
)


@dataclass(frozen=True)
class TrendEstimate:
    """National trend `mu` (log change per year), per-gemeente `tau` and the steps they come from."""

    origin: int
    mu: float
    tau: pl.DataFrame  # gemeente_code, tau
    steps: tuple[tuple[int, int, float], ...]  # (a, b, yearly log change)

    def as_dict(self) -> dict[str, object]:
        """For audit.json."""
        return {
            "origin": self.origin,
            "national_log_change_per_year": round(self.mu, 5),
            "steps": [{"from": a, "to": b, "log_change_per_year": round(d, 5)} for a, b, d in self.steps],
        }


def _methods(frame: pl.DataFrame, upto: int) -> dict[int, str]:
    rows = frame.filter(
        pl.col("level") == "wijk", pl.col("year") <= upto, pl.col("youth_care_rate_method").is_not_null()
    )
    return dict(rows.group_by("year").agg(pl.col("youth_care_rate_method").mode().first()).iter_rows())


def _count_rates(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    return frame.filter(
        pl.col("level") == "gemeente",
        pl.col("year") == year,
        pl.col("youth_care_clients") > 0,
        pl.col("youth_0_22_est") > 0,
    ).select("region_code", "youth_care_clients", "youth_0_22_est")


def _wijk_logs(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    return frame.filter(
        pl.col("level") == "wijk", pl.col("year") == year, pl.col("youth_care_rate_pct") > 0
    ).select("region_code", "gemeente_code", pl.col("youth_care_rate_pct").log().alias("y"))


def _step(frame: pl.DataFrame, a: int, b: int) -> tuple[float, pl.DataFrame] | None:
    """National yearly log change of step (a, b) and the gemeenten's own, or None without data."""
    ca, cb = _count_rates(frame, a), _count_rates(frame, b)
    if ca.height and cb.height:
        both = ca.join(cb, on="region_code", suffix="_b")
        if both.height:
            nat = np.log(
                (both["youth_care_clients_b"].sum() / both["youth_0_22_est_b"].sum())
                / (both["youth_care_clients"].sum() / both["youth_0_22_est"].sum())
            )
            per = both.select(
                pl.col("region_code").alias("gemeente_code"),
                (
                    (pl.col("youth_care_clients_b") / pl.col("youth_0_22_est_b"))
                    / (pl.col("youth_care_clients") / pl.col("youth_0_22_est"))
                ).log().alias("d"),
            )
            return float(nat) / (b - a), per.with_columns(pl.col("d") / (b - a))
    wa, wb = _wijk_logs(frame, a), _wijk_logs(frame, b)
    d = wb.join(wa.select("region_code", pl.col("y").alias("ya")), on="region_code")
    if d.is_empty():
        return None
    d = d.with_columns(((pl.col("y") - pl.col("ya")) / (b - a)).alias("d"))
    return float(d["d"].median()), d.group_by("gemeente_code").agg(pl.col("d").median())  # type: ignore[arg-type]


def estimate_trend(frame: pl.DataFrame, origin: int) -> TrendEstimate:
    """The trend known at `origin` (reads only rows with year <= origin; see the module docstring)."""
    tau = pl.DataFrame(schema={"gemeente_code": pl.String, "tau": pl.Float64})
    if frame.is_empty():
        return TrendEstimate(origin, 0.0, tau, ())
    past = frame.filter(pl.col("year") <= origin)
    methods = _methods(past, origin)
    years = sorted(methods)
    steps: list[tuple[int, int, float]] = []
    counted = set(past.filter(pl.col("level") == "gemeente", pl.col("youth_care_clients") > 0)["year"].to_list())
    for a, b in zip(years, years[1:], strict=False):
        if b - a > 2 or (methods[a] != methods[b] and not {a, b} <= counted):
            continue
        got = _step(past, a, b)
        if got is None:
            continue
        steps.append((a, b, got[0]))
        latest = got[1].select("gemeente_code", pl.col("d").alias("tau"))
        tau = pl.concat([latest, tau.join(latest, on="gemeente_code", how="anti")])
    weights = np.array([b - a for a, b, _ in steps], dtype=float)
    mu = float(np.average([d for *_, d in steps], weights=weights)) if steps else 0.0
    return TrendEstimate(origin, mu, tau, tuple(steps))


def offset_expr(candidate: Candidate, mu: pl.Expr, tau: pl.Expr, horizon: pl.Expr) -> pl.Expr:
    """Log offset of `candidate` for rows with columns mu, tau (nullable) and horizon."""
    if not candidate.national:
        return pl.lit(0.0)
    yearly = mu + candidate.lam * (tau.fill_null(mu) - mu)
    if candidate.phi == 1.0:
        return yearly * horizon.cast(pl.Float64)
    return yearly * (1 - candidate.phi ** horizon.cast(pl.Float64)) / (1 - candidate.phi)
