"""Crosswalk to the IAMA (three phases plus the fundamental-rights part) and the DPIA (Model DPIA Rijk).

Each question names the sections of the audit report that answer it, how far the run answers it
(answered / partly / open), the evidence from this run, and what remains for the human dialogue.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from toolkit.reports.audit import forecast_ratio, records_used

__all__ = ["ITEMS_PATH", "SECTIONS", "build_crosswalk", "evidence"]

SECTIONS = (
    "summary",
    "inventory",
    "privacy",
    "disclosure",
    "egress",
    "model",
    "fairness",
    "register",
    "crosswalk",
    "oversight",
    "reproducibility",
)

ITEMS_PATH = Path(__file__).resolve().parent / "templates" / "crosswalk.toml"


@cache
def _items() -> list[dict[str, Any]]:
    with ITEMS_PATH.open("rb") as fh:
        return tomllib.load(fh)["item"]


def evidence(audit: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Short facts from the run that the crosswalk cites, in Dutch and English."""
    fair = audit.get("fairness", {}).get("counts", {})
    bt = audit.get("forecast", {}).get("backtest", {})
    used = records_used(audit)
    p, f, x = fair.get("pass", 0), fair.get("flag", 0), fair.get("fail", 0)
    r, c = forecast_ratio(audit), bt.get("coverage_80_model")
    n_in, n_eg = len(audit.get("inputs", [])), len(audit.get("egress", []))
    return {
        "inputs": (f"{n_in} invoerbestanden met controlegetal", f"{n_in} inputs with checksum"),
        "egress": (f"{n_eg} uitvoercontroles geslaagd", f"{n_eg} egress checks passed"),
        "fairness": (f"eerlijkheid: {p} in orde, {f} aandacht, {x} afwijzing",
                     f"fairness: {p} pass, {f} flag, {x} fail"),
        "backtest": _backtest(r, c),
        "privacy": (("eigen registratie via de privacypoort", "own records through the privacy gate") if used
                    else ("geen persoonsgegevens in deze run", "no personal data in this run")),
    }


def _backtest(ratio: float | None, cover: float | None) -> tuple[str, str]:
    if ratio is None:
        return "terugtoets: niet beschikbaar", "backtest: not available"
    pct, cov = round(abs(1 - ratio) * 100), "?" if cover is None else round(cover * 100)
    word = ("kleiner", "smaller") if ratio < 1 else ("groter", "larger")
    return (f"terugtoets: fout {pct}% {word[0]} dan 'vorige waarde'; de 80%-band bevat {cov}% van de uitkomsten",
            f"backtest: error {pct}% {word[1]} than 'last value'; the 80% band holds {cov}% of outcomes")


_LATER = ("Pas te beantwoorden zodra eigen registratie wordt gebruikt: deze run verwerkte geen "
          "persoonsgegevens.",
          "To be answered once own records are used: this run processed no personal data.")


def build_crosswalk(audit: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per IAMA or DPIA question: sections that answer it, status, evidence, open question."""
    facts = evidence(audit)
    used = records_used(audit)
    out = []
    for item in _items():
        status, (d_nl, d_en), ev = item["status"], item["dialogue"], item["evidence"]
        if item["instrument"] == "DPIA" and not used and ev == "privacy":
            status = "partly" if status == "answered" else status  # nothing personal to show yet
            d_nl, d_en = f"{d_nl} {_LATER[0]}".strip(), f"{d_en} {_LATER[1]}".strip()
        ev_nl, ev_en = facts.get(ev, ("", ""))
        out.append({"instrument": item["instrument"], "phase": item["phase"], "id": item["id"],
                    "question_nl": item["question"][0], "question_en": item["question"][1],
                    "answered_by": list(item["sections"]), "status": status, "evidence_nl": ev_nl,
                    "evidence_en": ev_en, "for_dialogue_nl": d_nl, "for_dialogue_en": d_en})
    return out
