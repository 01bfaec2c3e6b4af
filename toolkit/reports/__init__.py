"""Reports: the fairness stage's inputs, audit.json content and the two HTML pages (render only; ethics.egress
writes every file).

Modules (in data-flow order):
- `fairness`: gathers per-wijk errors, selection and burden from the stages for `ethics.fairness`.
- `audit`: the audit.json document of a run (inputs, config, privacy, disclosure, egress, model, versions)
  and `complete_audit`, which adds fairness, the register draft, the IAMA/DPIA crosswalk and human oversight.
- `register` (wording in `_register_text`): the draft Algoritmeregister entry and the oversight statement.
- `crosswalk` (questions in templates/crosswalk.toml): IAMA phases and DPIA points -> report sections.
- `i18n` (words in templates/texts.toml): Dutch and English texts, local numbers.
- `charts`, `maps`, `_wijkmaps`: inline SVG charts and choropleth maps built in Python (no JavaScript).
- `audit_report`, `wijkprofielen` (templates/*.html.j2 through `_render`, autoescape on): the two pages.
- `documents`: the three rendered documents of a run for egress.
"""

from toolkit.reports.audit import build_audit, complete_audit, package_versions
from toolkit.reports.documents import build_documents

__all__ = ["build_audit", "build_documents", "complete_audit", "package_versions"]
