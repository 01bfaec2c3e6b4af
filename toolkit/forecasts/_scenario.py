"""Scenarios: what-if shifts of prices, indexation and rates (`wijksignaal run --scenario FILE`).

A scenario TOML (see configs/scenarios/) has a `[scenario]` table with `name` and `description` and any of:

- `[prices] factor`: multiplies every price (1.10 = prices 10% higher);
- `[indexation] pct_per_year`: yearly price indexation from the price year (replaces the prices file's);
- `[rates] pct_change_per_year`: youth-care rate change per forecast year on top of the model (compounded:
  clients x (1 + pct / 100) ** horizon; -2 = two percent fewer clients each year, e.g. prevention);
- `[rates] growth`: which growth assumption leads (`_trend`): "auto" (default: the one the backtest chose),
  "rates_constant" (rates never move nationally) or "trend" (the best trend candidate of the backtest).
  forecast.csv always shows both at gemeente level: the leading one, and the other beside it.

So, per forecast year: clients = model clients x (1 + rates / 100) ** horizon and
cost_eur = clients x price x factor x (1 + indexation / 100) ** (year - price_year), rounded to thousands.
The default scenario is "bij ongewijzigd beleid" (policy unchanged): factor 1, the prices file's indexation,
no rate change. Intervals move with the point forecast (the same multiplicative factors).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["DEFAULT_SCENARIO", "GROWTH_SETTINGS", "SCENARIO_DIR", "Scenario", "load_scenario"]

SCENARIO_DIR = CONFIG_DIR / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "ongewijzigd_beleid.toml"
GROWTH_SETTINGS = ("auto", "rates_constant", "trend")
MSG_SETTING = "The '{key}' setting in scenario file {file} {rule}. Got {got!r}."


@dataclass(frozen=True, slots=True)
class Scenario:
    """Price factor, indexation (None: the prices file's) and yearly rate change of a scenario."""

    name: str = "bij ongewijzigd beleid"
    description: str = "policy unchanged: configured prices, no extra change of youth-care rates"
    price_factor: float = 1.0
    indexation_pct_per_year: float | None = None
    rate_change_pct_per_year: float = 0.0
    growth: str = "auto"
    file: str = "<default>"

    def __post_init__(self) -> None:
        checks = (
            ("prices.factor", self.price_factor, 0 < self.price_factor <= 10, "must be in (0, 10]"),
            (
                "rates.pct_change_per_year",
                self.rate_change_pct_per_year,
                -50 <= self.rate_change_pct_per_year <= 50,
                "must be between -50 and 50",
            ),
            ("rates.growth", self.growth, self.growth in GROWTH_SETTINGS, f"must be one of {GROWTH_SETTINGS}"),
            (
                "indexation.pct_per_year",
                self.indexation_pct_per_year,
                self.indexation_pct_per_year is None or -20 <= self.indexation_pct_per_year <= 50,
                "must be between -20 and 50",
            ),
        )
        for key, got, ok, rule in checks:
            if not ok:
                raise ConfigError(MSG_SETTING.format(key=key, file=self.file, rule=rule, got=got))

    def rate_factor(self, horizon: int) -> float:
        """Multiplier of clients at `horizon`."""
        return (1 + self.rate_change_pct_per_year / 100) ** horizon

    def as_dict(self) -> dict[str, object]:
        """The scenario's assumptions for audit.json."""
        return {
            "name": self.name,
            "description": self.description,
            "file": self.file,
            "price_factor": self.price_factor,
            "indexation_pct_per_year": self.indexation_pct_per_year,
            "rate_change_pct_per_year": self.rate_change_pct_per_year,
            "growth": self.growth,
        }


def _number(raw: dict, table: str, key: str, file: Path, default: float | None) -> Any:
    value = raw.get(table, {}).get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConfigError(
            MSG_SETTING.format(key=f"{table}.{key}", file=file, rule="must be a number", got=value)
        )
    return None if value is None else float(value)


KEYS = {"scenario": {"name", "description"}, "prices": {"factor"}, "indexation": {"pct_per_year"},
        "rates": {"pct_change_per_year", "growth"}}


def _check_keys(raw: dict, file: Path) -> None:
    """Only the known tables and keys: a typo (`[prices] factr`) must not be ignored silently (exit 2)."""
    for table, value in raw.items():
        if table not in KEYS or not isinstance(value, dict):
            known = table in KEYS
            rule = "must be a table ([section])" if known else "is not a known table"
            raise ConfigError(MSG_SETTING.format(key=table, file=file, rule=rule, got=value if known else table))
        for key in value.keys() - KEYS[table]:
            raise ConfigError(MSG_SETTING.format(key=f"{table}.{key}", file=file, rule="is not a known setting",
                                                 got=key))


def load_scenario(path: Path | None = None) -> Scenario:
    """Read a scenario TOML (default: configs/scenarios/ongewijzigd_beleid.toml)."""
    file = Path(path or DEFAULT_SCENARIO)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Scenario file {file} does not exist.") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Scenario file {file} is not valid TOML: {exc}") from None
    _check_keys(raw, file)
    head = raw.get("scenario", {})
    if not str(head.get("name", "")).strip():
        raise ConfigError(
            MSG_SETTING.format(
                key="scenario.name", file=file, rule="must be a non-empty text", got=head.get("name")
            )
        )
    return Scenario(
        name=str(head["name"]),
        description=str(head.get("description", "")),
        price_factor=_number(raw, "prices", "factor", file, 1.0),
        indexation_pct_per_year=_number(raw, "indexation", "pct_per_year", file, None),
        rate_change_pct_per_year=_number(raw, "rates", "pct_change_per_year", file, 0.0),
        growth=str(raw.get("rates", {}).get("growth", "auto")),
        file=str(file),
    )
