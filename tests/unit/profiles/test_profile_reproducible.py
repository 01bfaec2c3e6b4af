"""Typology and ranking are identical run to run, and do not depend on which gemeenten are in scope."""

from __future__ import annotations

import polars as pl

from toolkit.panel import build_panel
from toolkit.profiles import build_profiles


def test_two_runs_give_identical_tables_types_and_priority_lists(den_haag_panel, policy, den_haag):
    again = build_profiles(den_haag_panel, policy)
    assert again.table.equals(den_haag.table)
    assert again.priority.equals(den_haag.priority)
    assert again.audit["typology"] == den_haag.audit["typology"]
    assert den_haag.table["typology"].drop_nulls().n_unique() >= 2


def test_a_wijk_profile_does_not_depend_on_the_other_gemeenten_in_scope(panel_frame, policy, den_haag):
    both = build_profiles(build_panel(panel_frame, ["GM0518", "GM0363"]), policy)
    mine = both.table.filter(pl.col("gemeente_code") == "GM0518")
    assert mine.equals(den_haag.table)
    assert both.table["gemeente_code"].n_unique() == 2


def test_types_are_named_in_both_languages_and_the_run_language_is_used(den_haag_panel, policy, den_haag):
    from toolkit.profiles import ProfileConfig

    types = den_haag.audit["typology"]["types"]
    assert len({t["name_nl"] for t in types}) == len(types) == len({t["name_en"] for t in types})
    assert set(den_haag.table["typology"].drop_nulls()) <= {t["name_nl"] for t in types}
    english = build_profiles(den_haag_panel, policy, config=ProfileConfig(lang="en"))
    assert set(english.table["typology"].drop_nulls()) <= {t["name_en"] for t in types}
