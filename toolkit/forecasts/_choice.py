"""The growth choice: which option of `_trend` (and bottom-up or top-down gemeente totals) the backtest picks.

An option is a growth candidate (rates constant, national trend, damped, with the gemeente's own trend) and,
at gemeente level, whether the gemeente total is the sum of its wijk forecasts (bottom-up) or starts from
the gemeente's own count x its youth growth x the trend, the wijk forecasts only splitting it (`top_down_`).

`choose` at origin t: the option with the smallest mean absolute log error over the forecasts made before t
whose target year is <= t (gemeente: client totals where CBS counts exist, size-weighted rates of one
definition before); without such forecasts: rates constant, bottom-up; ties go to the simpler option. The
same is computed on the wijk rates and reported beside it. The published forecast applies the gemeente-level
choice to every wijk of the gemeente (one factor per gemeente keeps the gemeente row the exact sum of its
children).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from toolkit.forecasts._gemeente_errors import TOP_DOWN
from toolkit.forecasts._trend import CANDIDATES, CONSTANT, Candidate

__all__ = ["OPTIONS", "OPTION_G", "Choice", "apply_choice", "choose", "option", "wijk_error"]

BY_NAME = {c.name: c for c in CANDIDATES}
OPTIONS = (*(c.name for c in CANDIDATES), *(f"{TOP_DOWN}_{c.name}" for c in CANDIDATES))
OPTION_G = tuple(f"G_{o}" for o in OPTIONS)


@dataclass(frozen=True, slots=True)
class Choice:
    """A growth candidate and whether the gemeente total starts from its own count (top-down)."""

    growth: Candidate
    top_down: bool = False

    @property
    def name(self) -> str:
        """The option's name in scores and the audit."""
        return f"{TOP_DOWN}_{self.growth.name}" if self.top_down else self.growth.name


def option(name: str) -> Choice:
    """The Choice of an option name."""
    top = name.startswith(f"{TOP_DOWN}_")
    return Choice(BY_NAME[name.removeprefix(f"{TOP_DOWN}_")], top)


def choose(errors: pl.DataFrame, t: int, options: tuple[str, ...] = OPTIONS) -> tuple[Choice, dict[str, float]]:
    """The option with the smallest mean |log error| over forecasts made before t with target <= t.

    Without such forecasts: rates constant, bottom-up. Ties go to the simpler option (listed first).
    """
    past = errors.filter(pl.col("origin") < t, pl.col("target_year") <= t) if errors.height else errors
    options = tuple(o for o in options if f"e_{o}" in past.columns)
    if past.is_empty() or not options:
        return Choice(CONSTANT), {}
    scores = {o: float(past[f"e_{o}"].abs().mean()) for o in options}  # type: ignore[arg-type]
    best = min(options, key=lambda o: round(scores[o], 6))
    return option(best), {k: round(v, 5) for k, v in scores.items()}


def apply_choice(rows: pl.DataFrame, gem: pl.DataFrame, origins: list[int]) -> tuple[pl.DataFrame, pl.DataFrame,
                                                                                         dict[int, str]]:
    """Per origin, the gemeente-level choice made before it: "model" rows and gemeente rows use it."""
    chosen = {t: choose(gem, t)[0].name for t in origins}
    pick = pl.col("origin").replace_strict(chosen, return_dtype=pl.String)
    model = rows.filter(pl.col("method") == "model")
    growth = pick.str.replace(f"^{TOP_DOWN}_", "")
    choice_expr = pl.coalesce(*(pl.when(growth == c.name).then(pl.col(f"y_{c.name}")) for c in CANDIDATES))
    constant = model.with_columns(pl.col(f"y_{CONSTANT.name}").alias("y_hat"),
                                  pl.lit("model_rates_constant").alias("method"))
    model = model.with_columns(choice_expr.alias("y_hat"))
    rows = pl.concat([model, constant, rows.filter(pl.col("method") != "model")], how="diagonal_relaxed")
    if gem.height:
        gem = gem.with_columns(
            pl.coalesce(*(pl.when(pick == o).then(pl.col(f"e_{o}")) for o in OPTIONS)).alias("log_error"),
            pl.coalesce(*(pl.when(pick == o).then(pl.col(f"G_{o}")) for o in OPTIONS)).alias("G_model")
            if "G_rates_constant" in gem.columns else pl.lit(None, dtype=pl.Float64).alias("G_model"),
        )
    return rows, gem, chosen


def wijk_error(option_name: str) -> pl.Expr:
    """Log error of a wijk row under a growth option (top-down options move wijken like their growth)."""
    return pl.col("y_true") - pl.col(f"y_{option(option_name).growth.name}")
