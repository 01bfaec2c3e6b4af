"""Draft Algoritmeregister entry (publication standard 1.0) filled from the run; human-oversight statement.

Every field of the standard is present. A field is filled from the run (`source: run`), from the fixed
description of wijksignaal (`fixed`), or, where only the municipality can know it (contact address, its own
public page), with an explicit "to be filled in by the gemeente" (`to_confirm`); the end date stays empty
while the algorithm is in use, as the standard asks.
"""

from __future__ import annotations

from typing import Any

from toolkit.reports._register_text import CATEGORY_REASONING, FIELDS, TEXT, TO_CONFIRM
from toolkit.reports.audit import forecast_ratio, records_used
from toolkit.reports.crosswalk import build_crosswalk

__all__ = ["REGISTER_FIELDS", "build_register", "human_oversight"]

REGISTER_FIELDS = tuple(key for _, key, _ in FIELDS)
_CONFIRM = {
    "contactgegevens": "e-mailadres of website waar inwoners vragen over dit algoritme kunnen stellen",
    "link_publiekspagina": "https-adres van de eigen pagina over wijksignaal",
    "link_bronregistratie": "https-adres van een eigen algoritmeregister, als de gemeente dat heeft",
    "verwerkingsregister": "https-adres van het verwerkingsregister (bij gebruik van eigen registratie)",
    "link_impacttoets": "https-adres van het vastgestelde IAMA en, bij eigen registratie, de DPIA",
    "link_broncode": "https-adres van de broncode die de gemeente gebruikt",
}
_FROM_RUN = (
    "organisatie",
    "begindatum",
    "korte_omschrijving",
    "naam",
    "risicobeheer",
    "gegevens",
    "technische_werking",
    "leverancier",
    "impacttoetsen",
    "toelichting_impacttoetsen",
    "bron_id",
)


def _fill(audit: dict[str, Any], gemeente: str) -> dict[str, str]:
    fair = audit.get("fairness", {}).get("counts", {})
    bt = audit.get("forecast", {}).get("backtest", {})
    walk = build_crosswalk(audit)
    status = [c["status"] for c in walk]
    used = records_used(audit)
    version = audit.get("versions", {}).get("wijksignaal", "")
    ratio, cov = forecast_ratio(audit), bt.get("coverage_80_model")
    if ratio is not None:
        pct = round(abs(1 - ratio) * 100)
        backtest = (f"de voorspelfout per wijk is {pct}% {'kleiner' if ratio < 1 else 'groter'} dan bij het "
                    f"doortrekken van de vorige waarde"
                    + (f"; de band van 80% bevatte in {round(cov * 100)}% van de gevallen de werkelijke waarde"
                       if cov is not None else ""))
    else:
        backtest = "niet beschikbaar"
    values = {
        "naam": TEXT["naam"].format(gemeente=gemeente if _single(audit) else "").strip(),
        "organisatie": f"Gemeente {gemeente}",
        "begindatum": str(audit.get("generated_at", ""))[:7],
        "einddatum": "",
        "publicatiecategorie": "Impactvolle algoritmes",
        "risicobeheer": TEXT["risicobeheer"].format(
            egress=len(audit.get("egress", [])),
            fair_pass=fair.get("pass", 0),
            fair_flag=fair.get("flag", 0),
            fair_fail=fair.get("fail", 0),
            backtest=backtest,
        ),
        "impacttoetsen": TEXT["impacttoetsen"].format(
            dpia="(nodig: eigen registratie gebruikt)"
            if used
            else "(nodig zodra eigen registratie wordt gebruikt)"
        ),
        "toelichting_impacttoetsen": TEXT["toelichting_impacttoetsen"].format(
            answered=status.count("answered"),
            partly=status.count("partly"),
            open=status.count("open"),
            total=len(status),
        ),
        "gegevens": TEXT["gegevens"].format(
            records=(
                "Eigen registratie jeugdzorg van de gemeente (gepseudonimiseerd), alleen samengevat per "
                "wijk met differentiële privacy."
                if used
                else "In deze run zijn geen persoonsgegevens gebruikt."
            )
        ),
        "technische_werking": TEXT["technische_werking"].format(
            forecast_method="een model over alle Nederlandse wijken voor de verandering van het percentage "
            "jongeren met jeugdzorg, maal de verwachte aantallen jongeren; euro's via een prijs per cliënt "
            "met bronvermelding."
            if bt
            else "percentage maal verwachte aantallen jongeren."
        ),
        "leverancier": TEXT["leverancier"].format(version=version),
        "bron_id": "wijksignaal-{}-{}".format("-".join(_scope(audit)),
                                              str(audit.get("config", {}).get("sha256", ""))[:8]),
    }
    return values


def _scope(audit: dict[str, Any]) -> list[str]:
    scope = audit.get("config", {}).get("gemeenten", [])
    return ["all"] if scope == "all" else list(scope)


def _single(audit: dict[str, Any]) -> bool:
    """One registration is about one organisation: a run over several gemeenten leaves the name to each."""
    return _scope(audit) != ["all"] and len(_scope(audit)) == 1


def build_register(audit: dict[str, Any], gemeente_name: str) -> dict[str, Any]:
    """The draft entry: fields in the order of the standard, each with label, value and where it came from."""
    filled = _fill(audit, gemeente_name)
    confirm = dict(_CONFIRM)
    if not _single(audit):
        confirm["organisatie"] = (f"de gemeente die dit algoritme inzet: één registratie per organisatie "
                                  f"(deze run: {len(gemeente_name.split(', '))} gemeenten)")
    fields = []
    for section, key, label in FIELDS:
        if key in confirm:
            value, source = TO_CONFIRM.format(what=confirm[key]), "to_confirm"
        elif key in filled:
            value, source = filled[key], "run" if key in _FROM_RUN else "fixed"
        else:
            value, source = TEXT[key], "fixed"
        entry = {"section": section, "key": key, "label": label, "value": value, "source": source}
        if key == "einddatum":
            entry["note"] = (
                "Leeg zolang het algoritme in ontwikkeling of in gebruik is (publicatiestandaard)."
            )
        if key == "publicatiecategorie":
            entry["reasoning"] = CATEGORY_REASONING
        fields.append(entry)
    return {
        "standard": "Algoritmeregister publicatiestandaard 1.0.0",
        "export": "algoritmeregister.json",
        "status": "concept",
        "language": "nld",
        "fields": fields,
    }


_OVERSIGHT = {
    "nl": (
        "De uitkomsten van wijksignaal gaan over wijken, niet over personen. Ze zijn bedoeld voor planning "
        "en preventie en nooit voor een besluit over een persoon, een gezin of het recht op zorg of een "
        "voorziening.",
        [
            "Een mens beslist: de prioriteitenlijst is een voorstel dat het preventieteam met wijkteams en "
            ""
            "partners bespreekt.",
            "De uitkomsten worden nooit gekoppeld aan persoonsgegevens om gezinnen op te sporen, en nooit "
            "gebruikt "
            "voor handhaving, fraudeonderzoek of toegang tot zorg.",
            "De ethisch adviseur tekent het auditrapport af voordat de uitkomsten worden gebruikt; elke "
            "groep met "
            "'aandacht' of 'afwijzing' in de eerlijkheidstoets wordt eerst besproken.",
            "Inwoners en organisaties in een wijk kunnen vragen stellen over de lijst via het contactadres "
            "in het "
            "Algoritmeregister.",
            "De toets wordt herhaald zodra het CBS nieuwe cijfers publiceert; de voorspelling wordt "
            "achteraf "
            "vergeleken met wat er gebeurde (--as-of).",
        ],
    ),
    "en": (
        "The outputs of wijksignaal describe wijken, not persons. They are meant for planning and "
        "prevention "
        "and never for a decision about a person, a family, or anyone's eligibility for care or a service.",
        [
            "A person decides: the priority list is a proposal that the prevention team discusses with "
            "wijk "
            "teams and partners.",
            "The outputs are never linked to personal data to find families, and never used for "
            "enforcement, "
            "fraud investigation or access to care.",
            "The ethical officer signs off the audit report before the outputs are used; every group "
            "marked "
            "'flag' or 'fail' in the fairness audit is discussed first.",
            "Residents and organisations in a wijk can ask about the list through the contact address in "
            "the "
            "Algoritmeregister.",
            "The audit is repeated when CBS publishes new figures; the forecast is checked afterwards "
            "against "
            "what happened (--as-of).",
        ],
    ),
}


def human_oversight() -> dict[str, Any]:
    """The human-oversight statement in both languages (audit.json keeps both; the page shows one)."""
    return {
        lang: {"statement": text, "commitments": list(items)} for lang, (text, items) in _OVERSIGHT.items()
    }
