"""The one verdict of a run for the ethical officer, derived from the checks in audit.json, and its sign-off.

Three decisions, strictest first:
- `not_fit` ("Niet geschikt voor gebruik"): the run used the SYNTHETIC demo register (its counts and euros
  describe no real child), or the forecast does worse than carrying the last value forward.
- `conditional` ("Geschikt voor gebruik onder voorwaarden"): something must be discussed or done first: a
  fairness group beyond a limit, a weak forecast, old data, IAMA questions still open for the dialogue.
- `fit` ("Geschikt voor gebruik"): no check asks for anything.

Reasons and conditions are short sentences in Dutch and English; audit.json keeps both, the page shows one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

__all__ = ["DECISIONS", "MODEL_PASS_RATIO", "SIGN_OFF_FIELDS", "build_verdict", "data_age_years"]

DECISIONS = {"fit": ("Geschikt voor gebruik", "Fit for use"),
             "conditional": ("Geschikt voor gebruik onder voorwaarden", "Fit for use under conditions"),
             "not_fit": ("Niet geschikt voor gebruik", "Not fit for use")}
SIGN_OFF_FIELDS = ("role", "name", "date", "decision", "remarks")
MODEL_PASS_RATIO = 0.95  # the model must beat carrying the last value forward by at least 5% at horizon 1
MAX_DATA_AGE = 1  # years between the latest data year and the run before the data count as old


def data_age_years(latest_year: int | None, generated_at: str) -> int | None:
    """Whole years between the latest data year and the year of the run (None when either is unknown)."""
    try:
        run_year = int(str(generated_at)[:4]) if generated_at else date.today().year
    except ValueError:
        return None
    return None if latest_year is None else run_year - int(latest_year)


def _fairness(audit: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    fair = audit.get("fairness") or {}
    counts, policy = fair.get("counts", {}), fair.get("limits", {}).get("on_fail", "flag")
    n_fail, n_flag = counts.get("fail", 0), counts.get("flag", 0)
    if not (n_fail or n_flag):
        return [("Eerlijkheid: geen groep wijken wijkt af.", "Fairness: no group of wijken deviates.")], []
    reason = (f"Eerlijkheid: {n_fail} groep(en) boven de afwijzingsgrens en {n_flag} met aandacht; het beleid "
              f"({'stoppen' if policy == 'block' else 'melden'}) liet de run doorgaan.",
              f"Fairness: {n_fail} group(s) beyond the fail limit and {n_flag} flagged; the policy "
              f"({policy}) let the run continue.")
    condition = ("Bespreek de afwijkende groepen (zie Eerlijkheid) met het preventieteam voordat de "
                 "prioriteitenlijst wordt gebruikt.",
                 "Discuss the deviating groups (see Fairness) with the prevention team before the priority "
                 "list is used.")
    return [reason], [condition]


def _model(audit: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], bool]:
    from toolkit.reports.audit import forecast_ratio

    ratio = forecast_ratio(audit)
    if ratio is None:
        return [("Voorspelling: geen terugtoets beschikbaar.", "Forecast: no backtest available.")], [
            ("Gebruik de voorspelling niet zonder terugtoets.", "Do not use the forecast without a backtest.")], False
    pct = round((1 - ratio) * 100)
    if ratio >= 1:
        return [(f"Voorspelling: slechter dan de vorige waarde doortrekken ({-pct}% grotere fout).",
                 f"Forecast: worse than carrying the last value forward ({-pct}% larger error).")], [], True
    if ratio >= MODEL_PASS_RATIO:
        return [(f"Voorspelling: nauwelijks beter dan de vorige waarde doortrekken ({pct}% kleinere fout).",
                 f"Forecast: hardly better than carrying the last value forward ({pct}% smaller error).")], [
            ("Plan met de banden van de voorspelling, niet met de middenlijn.",
             "Plan with the forecast's bands, not its middle line.")], False
    return [(f"Voorspelling: {pct}% kleinere fout dan de vorige waarde doortrekken.",
             f"Forecast: {pct}% smaller error than carrying the last value forward.")], [], False


def _data_age(audit: dict[str, Any]) -> list[tuple[str, str]]:
    latest = (audit.get("data") or {}).get("latest_year")
    age = data_age_years(latest, audit.get("generated_at", ""))
    if age is None or age <= MAX_DATA_AGE:
        return []
    return [(f"De nieuwste gegevens zijn uit {latest}, {age} jaar voor deze run: controleer of er nieuwere "
             "CBS-cijfers zijn en draai opnieuw.",
             f"The latest data are from {latest}, {age} years before this run: check for newer CBS figures "
             "and run again.")]


def build_verdict(audit: dict[str, Any]) -> dict[str, Any]:
    """The verdict section of audit.json: decision, label, reasons, conditions and an empty sign-off."""
    privacy = audit.get("privacy") or {}
    reasons, conditions = [], []
    if privacy.get("synthetic"):
        reasons.append(("DEMO: de registratie is SYNTHETISCH; aantallen en euro's uit de registratie gaan over "
                        "geen enkel echt kind.", "DEMO: the register is SYNTHETIC; counts and euros from it "
                        "describe no real child."))
    fair_reasons, fair_conditions = _fairness(audit)
    model_reasons, model_conditions, model_worse = _model(audit)
    reasons += model_reasons + fair_reasons
    conditions += model_conditions + fair_conditions + _data_age(audit)
    open_items = sum(c.get("status") == "open" for c in audit.get("iama_dpia_crosswalk", []))
    if open_items:
        conditions.append((f"Voer het gesprek over de {open_items} open IAMA/DPIA-vragen en leg de uitkomst vast.",
                           f"Hold the dialogue on the {open_items} open IAMA/DPIA questions and record it."))
    decision = "not_fit" if privacy.get("synthetic") or model_worse else "conditional" if conditions else "fit"
    return {"decision": decision,
            "label": dict(zip(("nl", "en"), DECISIONS[decision], strict=True)),
            "reasons": [{"nl": nl, "en": en} for nl, en in reasons],
            "conditions": [{"nl": nl, "en": en} for nl, en in conditions],
            "sign_off": {"status": "open", "fields": list(SIGN_OFF_FIELDS)}}
