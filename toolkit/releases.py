"""Records into the run: hand the records file (or a SYNTHETIC demo register) to the privacy gate.

`gate_releases(config, panel, policy)` returns `ethics.gate.Releases`, or None when the run has no records.
It chooses the ledger (--ledger; else the user's ledger, or for --demo-records a separate SYNTHETIC demo
ledger, so demos never spend a real budget), the dataset id (run config `[records] dataset_id`; else from the
file's sha256; a fresh id per demo register) and the public keys: every wijk of the gemeente, the years to
release (`--years` or run config `[records] years`, "FIRST-LAST": the register's declared span up to the
reference year; required with --records, never read from the records) and the provider list (run config
`[records] providers`, the municipality's contracted providers). A demo register covers the stated years (or
2018-2025, `DEMO_YEARS`) and uses the configured providers (or its fictional SYNTHETIC ones, which are then
the list); it is written to a temporary directory, read back through `ethics.records` like any records file
and deleted afterwards. Toolkit code never reads records itself. A missing or unreadable records path is a
usage error (exit 2) before anything else happens.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from ethics.errors import ConfigError
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.panel import Panel
from toolkit.progress import reporter

__all__ = ["gate_releases", "parse_years", "MSG_ONE_GEMEENTE"]

MSG_ONE_GEMEENTE = (
    "--records and --demo-records need exactly one gemeente (the register's own), for example "
    "--gemeente GM0518. Got {n}."
)
MSG_BAD_YEARS = "--years (or [records] years) must be a year such as 2022 or a span such as 2018-2022. Got {got!r}."


def parse_years(text: str | int) -> list[int]:
    """Years from "2022" or "2018-2022" (inclusive); ConfigError (exit 2) otherwise.

    >>> parse_years("2018-2020")
    [2018, 2019, 2020]
    """
    raw = str(text).strip()
    parts = [p.strip() for p in raw.split("-")]
    if not (1 <= len(parts) <= 2 and all(p.isdigit() and len(p) == 4 for p in parts)):
        raise ConfigError(MSG_BAD_YEARS.format(got=raw))
    first, last = int(parts[0]), int(parts[-1])
    if not (1900 <= first <= last < first + 255):
        raise ConfigError(MSG_BAD_YEARS.format(got=raw))
    return list(range(first, last + 1))


def _youth_population(panel: Panel, gemeente: str) -> dict[str, float]:
    rows = panel.frame.filter(
        pl.col("year") == panel.latest_year,
        pl.col("gemeente_code") == gemeente,
        pl.col("level").is_in(["wijk", "gemeente"]),
    )
    return dict(rows.select("region_code", "youth_0_22_est").iter_rows())


def _dataset_id(config: RunConfig, records: Path) -> str:
    if config.dataset_id:
        return config.dataset_id
    from toolkit.sources.embedded import file_sha256

    return f"records-{file_sha256(records)[:16]}"


def _release(
    config: RunConfig,
    panel: Panel,
    policy: Policy,
    records: Path,
    dataset_id: str,
    synthetic: bool,
    *,
    years: list[int] | None,
    providers: list[str],
    domain: str = "jeugd",
) -> Any:
    from ethics.gate import release
    from ethics.ledger import Ledger, default_ledger_path

    gemeente = panel.gemeenten[0]
    path = config.ledger or default_ledger_path(demo=synthetic)
    ledger = Ledger(path, policy.privacy.overlap_threshold, policy.privacy.sketch_size)
    return release(
        records,
        gemeente=gemeente,
        wijk_keys=panel.wijk_keys(gemeente),
        youth_population=_youth_population(panel, gemeente),
        policy=policy,
        ledger=ledger,
        dataset_id=dataset_id,
        years=years,
        providers=providers,
        synthetic=synthetic,
        domain=domain,
        progress=lambda step: reporter().stage(f"privacy gate: {step}"),
    )


def gate_releases(config: RunConfig, panel: Panel, policy: Policy, domain: str = "jeugd") -> Any:
    """The gate's releases for this run, or None without --records / --demo-records. `domain` (jeugd, wmo)
    selects the register's layout and its own privacy budget (a register holds one domain: the pipeline refuses
    --records with several domains; --demo-records makes a SYNTHETIC register per domain)."""
    if config.records is None and not config.demo_records:
        return None
    if config.all_gemeenten or len(panel.gemeenten) != 1:
        raise ConfigError(MSG_ONE_GEMEENTE.format(n=len(panel.gemeenten)))
    providers = [str(p) for p in config.providers]
    years = parse_years(config.records_years) if config.records_years is not None else None
    if config.records is not None:
        from ethics.records import check_path

        records = check_path(config.records)  # exit 2 naming the path, before it is hashed or read
        return _release(config, panel, policy, records, _dataset_id(config, records), False, years=years,
                        providers=providers, domain=domain)
    from ethics._synthetic_history import DEMO_YEARS
    from ethics.synthetic import demo_providers, generate_register, write_register

    gemeente = panel.gemeenten[0]
    years = years or parse_years(DEMO_YEARS)  # people over several years (ethics._synthetic_history)
    providers = providers or demo_providers(domain)
    register = generate_register(
        panel.frame, gemeente, year=panel.latest_year, years=years, providers=providers, domain=domain
    )
    label = "" if domain == "jeugd" else f"{domain}-"
    with tempfile.TemporaryDirectory(prefix="wijksignaal-demo-") as tmp:
        path = write_register(register, Path(tmp) / f"demo-records-{label}{gemeente}-SYNTHETIC.csv")
        dataset_id = f"demo-{label}{gemeente}-SYNTHETIC-{secrets.token_hex(4)}"
        return _release(config, panel, policy, path, dataset_id, True, years=years, providers=providers,
                        domain=domain)
