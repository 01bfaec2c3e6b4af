"""Run configuration: configs/run.toml plus command-line overrides, as one frozen, validated value.

Validated at the boundary with typed models (pydantic, strict types, like the ethics policy): the file's
tables and keys are fixed (`RunFile`), every value has a type and a range (`RunConfig`), so
`horizon_years = "5"`, `top_signals = -1`, `scope = 5`, an unknown key, inf or NaN is refused with a
`ConfigError` (exit 2) naming the file and the key (or the command-line option). Adding a setting: a typed
field on `RunConfig`, its table key in `FILE_KEYS` and the table's model below.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, FilePath, StrictBool, StrictInt, StrictStr
from pydantic import ValidationError as _ValidationError
from pydantic.dataclasses import dataclass

from ethics.errors import ConfigError
from ethics.policy import CONFIG_DIR, STRICT, config_problems, read_config_bytes

__all__ = ["RunConfig", "DEFAULT_RUN_CONFIG", "FILE_KEYS", "load_run_config"]

DEFAULT_RUN_CONFIG = CONFIG_DIR / "run.toml"
MSG_GEMEENTE = "must be a CBS gemeente code such as GM0518"


def _gemeente_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    bad = [g for g in codes if not (len(g) == 6 and g.startswith("GM") and g[2:].isascii() and g[2:].isdigit())]
    if bad:
        raise ValueError(f"{MSG_GEMEENTE}; got {bad[0][:20]!r}")
    return codes


Gemeenten = Annotated[tuple[StrictStr, ...], Field(min_length=1, max_length=1000), AfterValidator(_gemeente_codes)]
#: An input file given on the command line: it must exist and be a file (else exit 2 naming the option).
InputFile = FilePath


@dataclass(frozen=True, slots=True, config=STRICT)
class RunConfig:
    """Everything a run needs to know besides the policy."""

    gemeenten: Gemeenten = ("GM0518",)
    all_gemeenten: StrictBool = False
    horizon_years: Annotated[StrictInt, Field(ge=1, le=10)] = 5
    top_signals: Annotated[StrictInt, Field(ge=1, le=20)] = 3
    priority_excess: Literal["gemeente", "national"] = "gemeente"
    lang: Literal["nl", "en"] = "nl"
    as_of: Annotated[StrictInt, Field(ge=1900, le=2200)] | None = None
    indicators: InputFile | None = None
    records: InputFile | None = None
    demo_records: StrictBool = False
    scenario: InputFile | None = None
    dataset_id: Annotated[StrictStr, Field(min_length=1, max_length=200)] | None = None
    ledger: Path | None = None
    # Privacy gate keys (public, stated by the user; see toolkit/releases.py): the years to release, as
    # "2018-2025" or "2022" ([records] years or --years), and the municipality's contracted providers.
    records_years: Annotated[StrictStr, Field(min_length=1, max_length=20)] | None = None
    providers: tuple[Annotated[StrictStr, Field(min_length=1, max_length=200)], ...] = ()
    source: StrictStr = "<defaults>"
    sha256: StrictStr = ""


#: Where each RunConfig field lives in the run TOML (the others come from the command line only).
FILE_KEYS = {"gemeenten": "scope.gemeenten", "horizon_years": "forecast.horizon_years",
             "top_signals": "profiles.top_signals", "priority_excess": "profiles.priority_excess",
             "dataset_id": "records.dataset_id", "records_years": "records.years",
             "providers": "records.providers"}
OPTIONS = {"gemeenten": "--gemeente", "all_gemeenten": "--all", "lang": "--lang", "as_of": "--as-of",
           "indicators": "--indicators", "records": "--records", "demo_records": "--demo-records",
           "scenario": "--scenario", "ledger": "--ledger", "records_years": "--years"}


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Scope(_Table):
    gemeenten: list[StrictStr] = ["GM0518"]


class _Forecast(_Table):
    horizon_years: object = 5  # typed by RunConfig, which names the key


class _Profiles(_Table):
    top_signals: object = 3
    priority_excess: object = "gemeente"


class _Records(_Table):
    dataset_id: object = None
    years: object = None
    providers: object = []


class RunFile(_Table):
    """The tables and keys a run TOML may have."""

    scope: _Scope = _Scope()
    forecast: _Forecast = _Forecast()
    profiles: _Profiles = _Profiles()
    records: _Records = _Records()


def _refuse(file: str, exc: _ValidationError, keys: dict[str, str]) -> ConfigError:
    problems = config_problems(exc, file, keys=keys)
    first = problems[0]
    more = f" {len(problems) - 1} more problem(s):" if len(problems) > 1 else ""
    if (first.column or "").startswith("--"):
        return ConfigError(f"The option {first.column} {first.rule}.{more}", problems[1:])
    return ConfigError(f"Config file {file}: the setting '{first.column}' {first.rule}.{more}", problems[1:])


def load_run_config(path: Path | None = None, **overrides: object) -> RunConfig:
    """Read a run config TOML and apply command-line overrides (None means: keep the file's value)."""
    file = Path(path or DEFAULT_RUN_CONFIG)
    data = read_config_bytes(file, "Config file")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Config file {file} is not valid TOML: {exc}") from None
    try:
        shape = RunFile(**raw)
    except _ValidationError as exc:
        raise _refuse(str(file), exc, {}) from None
    values: dict[str, object] = {
        "gemeenten": tuple(shape.scope.gemeenten),
        "horizon_years": shape.forecast.horizon_years,
        "top_signals": shape.profiles.top_signals,
        "priority_excess": shape.profiles.priority_excess,
        "dataset_id": shape.records.dataset_id,
        "records_years": shape.records.years,
        "providers": tuple(shape.records.providers) if isinstance(shape.records.providers, list)
        else shape.records.providers,
    }
    given = {k: v for k, v in overrides.items() if v is not None and v != ()}
    values.update(given)
    if isinstance(values["gemeenten"], tuple | list):
        values["gemeenten"] = tuple(str(g).strip().upper() for g in values["gemeenten"])  # type: ignore[union-attr]
    keys = {**FILE_KEYS, **{k: OPTIONS.get(k, k) for k in given}}
    try:
        cfg = RunConfig(**values)  # type: ignore[arg-type]
    except _ValidationError as exc:
        raise _refuse(str(file), exc, keys) from None
    return dataclasses.replace(cfg, source=str(file), sha256=hashlib.sha256(data).hexdigest())
