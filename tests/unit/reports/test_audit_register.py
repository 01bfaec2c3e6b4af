"""audit.json of a real Den Haag run: every Algoritmeregister field, IAMA/DPIA crosswalk, human oversight."""

from __future__ import annotations

import re

import polars as pl
import pytest

# The fields of the Algoritmeregister publication standard 1.0 (algoritmes.overheid.nl), in its order:
# written out here, independently of the code, so a dropped or renamed field fails.
STANDARD = {
    "algemene_informatie": ["naam", "korte_omschrijving", "organisatie", "thema", "status", "begindatum",
                            "einddatum", "contactgegevens", "link_publiekspagina", "publicatiecategorie",
                            "link_bronregistratie"],
    "verantwoord_gebruik": ["doel_en_impact", "afwegingen", "menselijke_tussenkomst", "risicobeheer",
                            "wettelijke_basis", "link_wettelijke_basis", "titel_wettelijke_basis",
                            "verwerkingsregister", "impacttoetsen", "link_impacttoets",
                            "toelichting_impacttoetsen"],
    "werking": ["gegevens", "link_gegevensbron", "titel_gegevensbron", "technische_werking", "leverancier",
                "link_broncode"],
    "metadata": ["taal", "schema", "bron_id", "zoektermen"],
}
LIMITS = {"naam": 100, "korte_omschrijving": 350, "organisatie": 100, "doel_en_impact": 2500,
          "afwegingen": 2500,
          "menselijke_tussenkomst": 2500, "risicobeheer": 2500, "gegevens": 2500, "technische_werking": 5000}


def test_audit_keeps_its_sections_and_gains_the_new_ones(den_haag_audit):
    for key in ("inputs", "config", "privacy", "disclosure", "egress", "model", "versions", "fairness",
                "register", "iama_dpia_crosswalk", "human_oversight"):
        assert key in den_haag_audit, key
    assert list(den_haag_audit)[-1] == "versions"


def test_register_holds_every_field_of_the_standard_in_order(den_haag_audit):
    fields = den_haag_audit["register"]["fields"]
    got = [(f["section"], f["key"]) for f in fields]
    assert got == [(s, k) for s, keys in STANDARD.items() for k in keys]


def test_every_register_field_is_filled_or_says_why_not(den_haag_audit):
    for f in den_haag_audit["register"]["fields"]:
        assert f["label"] and f["source"] in {"run", "fixed", "to_confirm"}
        if f["key"] == "einddatum":  # the standard: empty while the algorithm is in use, with our note why
            assert f["value"] == "" and f["note"]
        else:
            assert f["value"].strip(), f["key"]
        assert "\n" not in f["value"], f["key"]  # the register accepts no line breaks
        if f["key"] in LIMITS:
            assert len(f["value"]) < LIMITS[f["key"]], f["key"]


def test_register_values_come_from_this_run(den_haag_audit):
    reg = {f["key"]: f for f in den_haag_audit["register"]["fields"]}
    assert reg["organisatie"]["value"] == "Gemeente 's-Gravenhage"
    assert reg["begindatum"]["value"] == den_haag_audit["generated_at"][:7]
    counts = den_haag_audit["fairness"]["counts"]
    assert f"{counts['pass']} in orde, {counts['flag']} aandacht, {counts['fail']} afwijzing" in \
        reg["risicobeheer"]["value"]
    assert den_haag_audit["config"]["sha256"][:8] in reg["bron_id"]["value"]
    assert den_haag_audit["versions"]["wijksignaal"] in reg["leverancier"]["value"]
    assert reg["status"]["value"] in {"In ontwikkeling", "In gebruik", "Buiten gebruik"}
    assert re.fullmatch(r"\d{4}-\d{2}", reg["begindatum"]["value"])
    assert all(reg[k]["value"].startswith("https://") for k in ("link_wettelijke_basis", "link_gegevensbron"))


def test_publication_category_is_a_choice_of_the_standard_with_reasoning(den_haag_audit):
    cat = next(f for f in den_haag_audit["register"]["fields"] if f["key"] == "publicatiecategorie")
    assert cat["value"] in {"Hoog-risico AI-systemen", "Impactvolle algoritmes", "Overige algoritmes"}
    assert "AI-verordening" in cat["reasoning"] and "personen" in cat["reasoning"]


def test_crosswalk_covers_the_three_iama_phases_rights_and_all_dpia_points(den_haag_audit):
    walk = den_haag_audit["iama_dpia_crosswalk"]
    phases = {c["phase"] for c in walk if c["instrument"] == "IAMA"}
    assert {"1 Waarom", "2 Wat", "3 Hoe", "4 Grondrechten"} <= phases
    assert sorted(int(c["id"]) for c in walk if c["instrument"] == "DPIA") == list(range(1, 18))
    from toolkit.reports.crosswalk import SECTIONS

    for c in walk:
        assert c["answered_by"] and set(c["answered_by"]) <= set(SECTIONS)
        assert c["status"] in {"answered", "partly", "open"}
        if c["status"] != "answered":  # what is not answered names the question for the human dialogue
            assert c["for_dialogue_nl"] and c["for_dialogue_en"], c["id"]


def test_without_records_dpia_privacy_points_wait_for_records(den_haag_audit):
    assert den_haag_audit["privacy"]["records_used"] is False
    walk = den_haag_audit["iama_dpia_crosswalk"]
    dpia2 = next(c for c in walk if c["instrument"] == "DPIA" and c["id"] == "2")
    assert dpia2["status"] == "partly" and "geen persoonsgegevens" in dpia2["for_dialogue_nl"]


def test_human_oversight_statement_in_both_languages(den_haag_audit):
    ho = den_haag_audit["human_oversight"]
    assert "nooit voor een besluit over een persoon" in ho["nl"]["statement"]
    assert "never for a decision about a person" in ho["en"]["statement"]
    assert len(ho["nl"]["commitments"]) == len(ho["en"]["commitments"]) >= 4


def test_fairness_section_and_csv_agree(den_haag_out, den_haag_audit):
    table = pl.read_csv(den_haag_out / "fairness.csv")
    assert table.columns == ["region_code", "grouping", "group", "n_regions", "metric", "value", "ci_low",
                             "ci_high", "verdict"]
    counts = den_haag_audit["fairness"]["counts"]
    assert counts == {v: int((table["verdict"] == v).sum()) for v in ("pass", "flag", "fail", "n/a")}
    assert set(table.filter(pl.col("metric").str.starts_with("forecast"))["region_code"]) == {"NL00"}


def test_disclosure_counts_match_profiles(den_haag_out, den_haag_audit):
    profiles = pl.read_csv(den_haag_out / "profiles.csv")
    got = den_haag_audit["disclosure"]["tables"]["profiles.csv"]
    for status in ("ok", "secret", "too_small"):
        assert got.get(status, 0) == int((profiles["status"] == status).sum())


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_texts_exist_in_both_languages(lang):
    from toolkit.reports.i18n import texts

    assert all(pair[0].strip() and pair[1].strip() for pair in texts().values())
    from toolkit.reports.i18n import translator

    with pytest.raises(KeyError):
        translator(lang)("no.such.key")


def test_a_run_over_several_gemeenten_leaves_the_organisation_to_each(den_haag_audit):
    from toolkit.reports.register import build_register

    audit = {**den_haag_audit, "config": {**den_haag_audit["config"], "gemeenten": "all"}}
    names = ", ".join(f"SYNTHETIC gemeente {i}" for i in range(345))
    reg = {f["key"]: f for f in build_register(audit, names)["fields"]}
    assert reg["organisatie"]["source"] == "to_confirm" and "345 gemeenten" in reg["organisatie"]["value"]
    assert reg["naam"]["value"] == "Wijksignaal jeugdzorg"
