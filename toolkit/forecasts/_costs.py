"""Prices per client and year, each with its public source and year (configs/prices.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["Prices", "load_prices", "DEFAULT_PRICES"]

DEFAULT_PRICES = CONFIG_DIR / "prices.toml"


@dataclass(frozen=True, slots=True)
class Prices:
    """Euro per client per year (all care types), its price year, source and the yearly indexation."""

    eur_per_client_year: float
    price_year: int
    source: str
    indexation_pct_per_year: float = 0.0

    def __post_init__(self) -> None:
        if not self.eur_per_client_year > 0:
            raise ConfigError(f"The price per client must be positive. Got {self.eur_per_client_year}.")

    def factor(self, year: int) -> float:
        """Indexation factor from the price year to `year`."""
        return (1 + self.indexation_pct_per_year / 100) ** max(0, year - self.price_year)


def load_prices(path: Path | None = None) -> Prices:
    """Read configs/prices.toml (or another prices file)."""
    file = path or DEFAULT_PRICES
    try:
        raw = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        price = raw["prices"]["all_care_types"]
        return Prices(eur_per_client_year=float(price["eur_per_client_year"]), price_year=int(price["price_year"]),
                      source=str(price["source"]),
                      indexation_pct_per_year=float(raw.get("indexation", {}).get("pct_per_year", 0.0)))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"Prices file {file} is not usable: {exc!r}") from None
