"""Prices per client and year, each with its public source and year, and the price a run uses.

configs/prices.toml holds one table per care type (`[prices.<care_type>]` with `eur_per_client_year`,
`price_year`, `source`); open data give no mix of care types per wijk, so one price per client covers all
care types. Without records the default is each gemeente's own price from real spending (CBS Iv3 2023 /
CBS clients, `toolkit.finance.prices`; pluggable: `default_price(..., lookup=...)`). prices.toml overrides it
for every gemeente when its `[prices.all_care_types]` says `override = true` (a file without the key
overrides too; the shipped file says false and keeps that price for synthetic demo records only), and for
one gemeente with `[gemeenten.GM0518]`. When the run has records, the privacy gate's released cost per client
(`Releases.table`, measure `MEASURE_COST_PER_CLIENT`, care type `RELEASED_ALL` ("all") or, failing that, the
client-weighted mean over the care types with measure `MEASURE_CLIENTS`) replaces it, and `price_source`
says so. The released value carries DP noise: its `accuracy_95` becomes a relative price uncertainty
that widens the euro intervals.

cost = clients x price x price_factor x (1 + indexation) ** (year - price_year), see `_scenario`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = [
    "ALL_CARE_TYPES",
    "DEFAULT_PRICES",
    "MEASURE_CLIENTS",
    "MEASURE_COST_PER_CLIENT",
    "Price",
    "Prices",
    "default_price",
    "load_prices",
    "released_price",
]

DEFAULT_PRICES = CONFIG_DIR / "prices.toml"
ALL_CARE_TYPES = "all_care_types"
RELEASED_ALL = "all"  # the gate's care_type for all care types together (ethics/gate.py)
MEASURE_COST_PER_CLIENT = "cost_per_client_eur"
MEASURE_CLIENTS = "clients"
MSG_PRICES = "The prices file {file} is not usable: {rule}. See configs/prices.toml for the format."


@dataclass(frozen=True, slots=True)
class Price:
    """Euro per client per year of one care type, its price year and public source."""

    eur_per_client_year: float
    price_year: int
    source: str
    relative_sd: float = 0.0  # uncertainty of the price itself (DP noise of a released price)
    by_gemeente: dict[str, tuple[float, str]] = field(default_factory=dict)  # code -> (eur, source)

    def __post_init__(self) -> None:
        if not self.eur_per_client_year > 0:
            raise ConfigError(f"The price per client must be positive. Got {self.eur_per_client_year}.")
        if not self.source.strip():
            raise ConfigError("Every price must name its public source and year ('source' is empty).")

    def eur_expr(self) -> pl.Expr:
        """The price per client of each row's `gemeente_code` (the scalar where no gemeente price exists)."""
        if not self.by_gemeente:
            return pl.lit(self.eur_per_client_year)
        return pl.col("gemeente_code").replace_strict({k: v[0] for k, v in self.by_gemeente.items()},
                                                      default=self.eur_per_client_year, return_dtype=pl.Float64)

    def source_expr(self) -> pl.Expr:
        """The source of each row's price, as `eur_expr` chooses it."""
        if not self.by_gemeente:
            return pl.lit(self.source)
        return pl.col("gemeente_code").replace_strict({k: v[1] for k, v in self.by_gemeente.items()},
                                                      default=self.source, return_dtype=pl.String)


@dataclass(frozen=True, slots=True)
class Prices:
    """Prices per care type and the default yearly indexation."""

    by_care_type: dict[str, Price]
    indexation_pct_per_year: float = 0.0
    indexation_source: str = ""
    file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    override: bool = True  # [prices.all_care_types] replaces every gemeente's own price
    gemeenten: dict[str, Price] = field(default_factory=dict)  # [gemeenten.GMxxxx] overrides

    def default(self) -> Price:
        """The price used for forecast euros from open data (all care types)."""
        return self.by_care_type[ALL_CARE_TYPES]


def _price(file: Path, name: str, raw: dict[str, Any]) -> Price:
    try:
        return Price(float(raw["eur_per_client_year"]), int(raw["price_year"]), str(raw["source"]).strip())
    except KeyError as exc:
        raise ConfigError(
            MSG_PRICES.format(file=file, rule=f"[prices.{name}] lacks {exc.args[0]!r}")
        ) from None
    except (TypeError, ValueError):
        raise ConfigError(
            MSG_PRICES.format(file=file, rule=f"[prices.{name}] has a non-numeric value")
        ) from None


def load_prices(path: Path | None = None) -> Prices:
    """Read configs/prices.toml (or another prices file)."""
    file = Path(path or DEFAULT_PRICES)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(MSG_PRICES.format(file=file, rule=f"it cannot be read as TOML ({exc})")) from None
    tables = raw.get("prices", {})
    if ALL_CARE_TYPES not in tables:
        raise ConfigError(MSG_PRICES.format(file=file, rule=f"it has no [prices.{ALL_CARE_TYPES}] table"))
    idx = raw.get("indexation", {})
    return Prices(
        {name: _price(file, name, t) for name, t in tables.items()},
        float(idx.get("pct_per_year", 0.0)),
        str(idx.get("source", "")),
        str(file),
        override=bool(tables[ALL_CARE_TYPES].get("override", True)),
        gemeenten={code: _price(file, code, t) for code, t in raw.get("gemeenten", {}).items()},
    )


GemeentePrices = Callable[[pl.DataFrame], tuple[dict[str, tuple[float, str]], float, int, str] | None]


def _iv3_prices(panel_frame: pl.DataFrame) -> tuple[dict[str, tuple[float, str]], float, int, str] | None:
    from toolkit.finance import forecast_prices

    return forecast_prices(panel_frame)


def default_price(prices: Prices, panel_frame: pl.DataFrame, lookup: GemeentePrices | None = None) -> Price:
    """The price without records: prices.toml when it overrides, else each gemeente's own (see module doc).

    When the lookup has nothing (a panel without client counts), the prices.toml price is used.
    """
    found = None if prices.override else (lookup or _iv3_prices)(panel_frame)
    if found is None:
        return prices.default()
    by_gemeente, national, year, source = found
    by_gemeente = dict(by_gemeente)
    for code, p in prices.gemeenten.items():
        by_gemeente[code] = (p.eur_per_client_year, f"{p.source} (prices.toml override, price year {p.price_year})")
    return Price(national, year, source, by_gemeente=by_gemeente)


def released_price(releases: Any, year: int) -> Price | None:
    """The gate's released cost per client for all care types (see module doc), or None."""
    table = getattr(releases, "table", None)
    if not isinstance(table, pl.DataFrame) or table.is_empty() or "measure" not in table.columns:
        return None
    ok = table.filter(pl.col("status") == "ok") if "status" in table.columns else table
    cost = ok.filter(pl.col("measure") == MEASURE_COST_PER_CLIENT, pl.col("value") > 0)
    if cost.is_empty():
        return None
    acc = pl.col("accuracy_95") if "accuracy_95" in cost.columns else pl.lit(0.0)
    total = cost.filter(pl.col("care_type") == RELEASED_ALL)
    if total.is_empty():
        clients = ok.filter(pl.col("measure") == MEASURE_CLIENTS).select(
            "region_code", "year", "care_type", pl.col("value").alias("w")
        )
        total = cost.join(clients, on=["region_code", "year", "care_type"], how="left").with_columns(
            pl.col("w").fill_null(1.0)
        )
    else:
        total = total.with_columns(pl.lit(1.0).alias("w"))
    w = pl.col("w")
    agg = total.select(
        ((pl.col("value") * w).sum() / w.sum()).alias("v"),
        (((acc / 1.96 * w) ** 2).sum().sqrt() / w.sum()).alias("sd"),
        pl.col("year").max(),
    )
    value, sd, ref = agg.row(0)
    src = (
        f"released by the privacy gate from the municipality's records: cost per client, all care types, "
        f"{ref or year} (DP-noised; measure {MEASURE_COST_PER_CLIENT})"
    )
    return Price(float(value), int(ref or year), src, relative_sd=float(sd or 0.0) / float(value))
