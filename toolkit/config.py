"""Run configuration: configs/run.toml plus command-line overrides, as one frozen value."""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR

__all__ = ["RunConfig", "DEFAULT_RUN_CONFIG", "load_run_config"]

DEFAULT_RUN_CONFIG = CONFIG_DIR / "run.toml"


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a run needs to know besides the policy."""

    gemeenten: tuple[str, ...] = ("GM0518",)
    all_gemeenten: bool = False
    horizon_years: int = 5
    top_signals: int = 3
    priority_excess: str = "gemeente"
    lang: str = "nl"
    as_of: int | None = None
    indicators: Path | None = None
    records: Path | None = None
    demo_records: bool = False
    scenario: Path | None = None
    dataset_id: str | None = None
    ledger: Path | None = None
    # Privacy gate keys (public, stated by the user; see toolkit/releases.py): the years to release, as
    # "2018-2025" or "2022" ([records] years or --years), and the municipality's contracted providers.
    records_years: str | None = None
    providers: tuple[str, ...] = ()
    source: str = "<defaults>"
    sha256: str = ""

    def __post_init__(self) -> None:
        if self.lang not in ("nl", "en"):
            raise ConfigError(f"--lang must be 'nl' or 'en'. Got {self.lang!r}.")
        if self.priority_excess not in ("gemeente", "national"):
            raise ConfigError("The 'priority_excess' setting of [profiles] must be 'gemeente' or 'national'. "
                              f"Got {self.priority_excess!r}.")
        if not 1 <= self.horizon_years <= 10:
            raise ConfigError(f"The 'horizon_years' setting must be between 1 and 10. Got {self.horizon_years}.")
        bad = [g for g in self.gemeenten if not (len(g) == 6 and g.startswith("GM") and g[2:].isdigit())]
        if bad:
            raise ConfigError(f"--gemeente must be a CBS gemeente code such as GM0518. Got {bad[0]!r}.")


def load_run_config(path: Path | None = None, **overrides: object) -> RunConfig:
    """Read a run config TOML and apply command-line overrides (None means: keep the file's value)."""
    file = path or DEFAULT_RUN_CONFIG
    try:
        data = Path(file).read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Config file {file} does not exist.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {file} is not valid TOML: {exc}") from None
    values: dict[str, object] = {
        "gemeenten": tuple(raw.get("scope", {}).get("gemeenten", ["GM0518"])),
        "horizon_years": raw.get("forecast", {}).get("horizon_years", 5),
        "top_signals": raw.get("profiles", {}).get("top_signals", 3),
        "priority_excess": raw.get("profiles", {}).get("priority_excess", "gemeente"),
        "dataset_id": raw.get("records", {}).get("dataset_id"),
        "records_years": raw.get("records", {}).get("years"),
        "providers": tuple(raw.get("records", {}).get("providers", ())),
    }
    values.update({k: v for k, v in overrides.items() if v is not None and v != ()})
    if "gemeenten" in values:
        values["gemeenten"] = tuple(str(g).strip().upper() for g in values["gemeenten"])  # type: ignore[union-attr]
    cfg = RunConfig(**values)  # type: ignore[arg-type]
    return dataclasses.replace(cfg, source=str(file), sha256=hashlib.sha256(data).hexdigest())
