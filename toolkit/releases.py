"""Records into the run: hand the records file (or a SYNTHETIC demo register) to the privacy gate.

`gate_releases(config, panel, policy)` returns `ethics.gate.Releases`, or None when the run has no records.
It chooses the ledger (--ledger; else the user's ledger, or for --demo-records a separate SYNTHETIC demo
ledger, so demos never spend a real budget), the dataset id (run config `[records] dataset_id`; else from the
file's sha256; a fresh id per demo register) and the public keys (every wijk of the gemeente). A demo
register is written to a temporary directory, read back through `ethics.records` like any records file and
deleted afterwards. Toolkit code never reads records itself.
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

__all__ = ["gate_releases", "MSG_ONE_GEMEENTE"]

MSG_ONE_GEMEENTE = (
    "--records and --demo-records need exactly one gemeente (the register's own), for example "
    "--gemeente GM0518. Got {n}."
)


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
    config: RunConfig, panel: Panel, policy: Policy, records: Path, dataset_id: str, synthetic: bool
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
        synthetic=synthetic,
    )


def gate_releases(config: RunConfig, panel: Panel, policy: Policy) -> Any:
    """The gate's releases for this run, or None without --records / --demo-records."""
    if config.records is None and not config.demo_records:
        return None
    if config.all_gemeenten or len(panel.gemeenten) != 1:
        raise ConfigError(MSG_ONE_GEMEENTE.format(n=len(panel.gemeenten)))
    if config.records is not None:
        return _release(config, panel, policy, config.records, _dataset_id(config, config.records), False)
    from ethics.synthetic import generate_register, write_register

    gemeente = panel.gemeenten[0]
    register = generate_register(panel.frame, gemeente, year=panel.latest_year)
    with tempfile.TemporaryDirectory(prefix="wijksignaal-demo-") as tmp:
        path = write_register(register, Path(tmp) / f"demo-records-{gemeente}-SYNTHETIC.csv")
        dataset_id = f"demo-{gemeente}-SYNTHETIC-{secrets.token_hex(4)}"
        return _release(config, panel, policy, path, dataset_id, True)
