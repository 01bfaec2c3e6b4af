"""Reports: audit.json content (render only; ethics.egress writes).

Modules:
- `audit`: the audit.json document of a run.
"""

from toolkit.reports.audit import build_audit, package_versions

__all__ = ["build_audit", "package_versions"]
