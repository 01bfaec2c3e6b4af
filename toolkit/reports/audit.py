"""The audit.json document of a run: inputs with sha256, config and policy with sha256, egress, versions."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ethics.egress import CheckResult
from ethics.policy import Policy
from toolkit.config import RunConfig
from toolkit.sources.embedded import LICENCE, PANEL_PATH, file_sha256

__all__ = ["build_audit", "package_versions", "PACKAGES"]

PACKAGES = ("wijksignaal", "polars", "pyarrow", "pandera", "scikit-learn", "diffprivlib", "fairlearn", "shap",
            "typer", "numpy")


def package_versions() -> dict[str, str]:
    """Installed versions of wijksignaal and its declared stack."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _input(path: Path, kind: str, licence: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "path": str(path), "sha256": file_sha256(path)}
    if licence:
        entry["licence"] = licence
    return entry


def build_audit(config: RunConfig, policy: Policy, checks: list[CheckResult],
                sections: dict[str, Any]) -> dict[str, Any]:
    """The audit document; `sections` holds what later stages add (privacy, model, fairness, ...)."""
    inputs = [_input(PANEL_PATH, "open indicators: embedded CBS snapshot", LICENCE)]
    if config.indicators is not None:
        inputs.append(_input(config.indicators, "open indicators: user KWB file"))
    if config.records is not None:
        inputs.append(_input(config.records, "municipal youth-care records (personal data)"))
    return {
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "inputs": inputs,
        "config": {"path": config.source, "sha256": config.sha256, "gemeenten": list(config.gemeenten)
                   if not config.all_gemeenten else "all", "as_of": config.as_of, "lang": config.lang},
        "policy": {"path": policy.source, "sha256": policy.sha256, "preset": policy.preset},
        "egress": [{"table": c.table, "check": c.check, "outcome": c.outcome, **c.detail} for c in checks],
        **sections,
        "versions": package_versions(),
    }


def to_json(audit: dict[str, Any]) -> str:
    """Stable, readable JSON."""
    return json.dumps(audit, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"
