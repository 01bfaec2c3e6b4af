"""algoritmeregister.json: the register entry in the Algoritmeregister publication standard's own format.

The standard (version 1.0.0, the `AlgorithmIn` object of the Algoritmeregister of the Dutch government,
github.com/MinBZK/Algoritmeregister, frontend/public/standards/v1_0_0.json) names its fields in English
(`name`, `description_short`, `organization`, `goal`, `proportionality`, ...) and caps their length; links
come in groupings of {title, link}. This module maps the draft of `register.build_register` onto those
fields, so a gemeente imports the file instead of retyping it. Fields only the gemeente can fill (contact
address, its own pages) stay empty strings: the audit page lists them.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["STANDARD_VERSION", "MAX_LENGTH", "REQUIRED", "register_entry", "to_json"]

STANDARD_VERSION = "1.0.0"
# field -> maximum length in characters, as the standard defines it (arrays: not listed)
MAX_LENGTH = {"name": 100, "description_short": 350, "organization": 100, "begin_date": 7, "end_date": 7,
              "contact_email": 500, "website": 500, "url": 500, "goal": 2500, "proportionality": 2500,
              "human_intervention": 2500, "risks": 2500, "lawful_basis": 2500, "process_index_url": 500,
              "impacttoetsen": 2500, "source_data": 2500, "methods_and_models": 5000, "provider": 200,
              "publiccode": 500, "source_id": 100, "tags": 2500}
REQUIRED = ("name", "description_short", "organization", "status", "contact_email", "publication_category",
            "lang")
CATEGORIES = ("Organisatie en bedrijfsvoering", "Cultuur en recreatie", "Economie", "Overheidsfinanciën", "Wonen",
              "Internationaal", "Migratie en integratie", "Natuur en milieu", "Onderwijs en wetenschap",
              "Openbare orde en veiligheid", "Recht", "Ruimte en infrastructuur", "Sociale zekerheid", "Verkeer",
              "Werk", "Zorg en gezondheid")
_PLAIN = {"naam": "name", "korte_omschrijving": "description_short", "organisatie": "organization",
          "status": "status", "begindatum": "begin_date", "einddatum": "end_date", "contactgegevens": "contact_email",
          "link_publiekspagina": "website", "publicatiecategorie": "publication_category",
          "link_bronregistratie": "url", "doel_en_impact": "goal", "afwegingen": "proportionality",
          "menselijke_tussenkomst": "human_intervention", "risicobeheer": "risks", "wettelijke_basis": "lawful_basis",
          "verwerkingsregister": "process_index_url", "toelichting_impacttoetsen": "impacttoetsen",
          "gegevens": "source_data", "technische_werking": "methods_and_models", "leverancier": "provider",
          "link_broncode": "publiccode", "bron_id": "source_id", "zoektermen": "tags"}
IAMA = "Impact Assessment Mensenrechten en Algoritmes (IAMA)"
DPIA = "Data Protection Impact Asssesment (DPIA)"  # spelled as in the standard's recommended items


def _fit(field: str, text: str) -> str:
    limit = MAX_LENGTH.get(field)
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "\u2026"


def register_entry(register: dict[str, Any]) -> dict[str, Any]:
    """The `AlgorithmIn` object of standard 1.0.0 from the draft register section of audit.json."""
    values = {f["key"]: ("" if f["source"] == "to_confirm" else str(f["value"])) for f in register["fields"]}
    entry: dict[str, Any] = {field: _fit(field, values.get(key, "")) for key, field in _PLAIN.items()}
    entry["category"] = [c.strip() for c in values.get("thema", "").split(";") if c.strip() in CATEGORIES][:3]
    link = values.get("link_wettelijke_basis", "")
    entry["lawful_basis_grouping"] = [{"title": values.get("titel_wettelijke_basis", ""), "link": link}]
    impact = values.get("link_impacttoets", "")
    entry["impacttoetsen_grouping"] = [{"title": IAMA, "link": impact}, {"title": DPIA, "link": impact}]
    entry["source_data_grouping"] = [{"title": values.get("titel_gegevensbron", "")[:500],
                                      "link": values.get("link_gegevensbron", "")}]
    entry["lang"] = "nld"
    entry["standard_version"] = STANDARD_VERSION
    return entry


def to_json(register: dict[str, Any]) -> str:
    """algoritmeregister.json: one entry, UTF-8, readable."""
    return json.dumps(register_entry(register), indent=2, ensure_ascii=False) + "\n"
