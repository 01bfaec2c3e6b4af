"""The privacy section of audit.json for one pass through the gate (no personal value, no true count)."""

from __future__ import annotations

from typing import Any

import polars as pl

from ethics.ledger import Ledger, YearState
from ethics.policy import Policy

__all__ = ["privacy_section", "COMPOSITION", "GUARANTEE"]

GUARANTEE = (
    "Pure epsilon-differential privacy per child per reference year: for each reference year {first}-{last}, "
    "adding or removing all the records of one child (client_id) changes the probability of any set of "
    "released tables of that year by at most a factor exp({eps}) (epsilon_per_release = {eps}). This holds "
    "because every key is public (wijken, care types, years, providers: the same whoever is in the "
    "register), each child's contribution to a year is bounded as listed under contribution_bounds, every "
    "measure's noise is scaled to its sensitivity under those bounds, and everything after the noise is "
    "post-processing. A child present in several years is protected in each year separately: the releases of "
    "k years together cost k times epsilon for a child in all of them. The ledger adds up what each reference "
    "year has spent (up to {total}) over runs on the same register as far as it recognises one (see ledger)."
)

COMPOSITION = (
    "Privacy unit: one child (client_id) in one reference year. Within a measure, the cells of different "
    "wijken (and the 'not in a wijk' node) hold disjoint children, so they compose in parallel: the measure "
    "costs its epsilon once, with the sensitivity of one child's bounded contribution across care types. "
    "The measures are released from the same children, so they compose sequentially: their epsilons add up "
    "to epsilon_per_release. Where the policy gives a measure a gemeente share, that part of its epsilon "
    "releases the gemeente total directly (sequential within the measure) and is combined with the sum of "
    "the wijken by inverse-variance weights. Combining, the sums over care types, cost per client, "
    "non-negativity, "
    "rounding and the CBS rule are post-processing of noisy values and cost no budget. Each reference year "
    "is charged epsilon_per_release in the ledger, against every earlier run on largely the same children."
)


def _measures(policy: Policy) -> list[dict[str, Any]]:
    from ethics.gate import sensitivity

    p = policy.privacy
    return [
        {
            "measure": name,
            "epsilon": str(p.epsilon_for(name)),
            "share": str(share),
            "sensitivity": sensitivity(name, policy),
            "epsilon_gemeente_total": str(p.epsilon_for(name) * p.gemeente_share_for(name)),
        }
        for name, share in p.epsilon_split
    ]


def _accuracy_summary(table: pl.DataFrame) -> list[dict[str, Any]]:
    rows = (
        table.filter(pl.col("accuracy_95").is_not_null())
        .group_by("measure", "level")
        .agg(
            cells=pl.len(),
            ok=(pl.col("status") == "ok").sum(),
            median_accuracy_95=pl.col("accuracy_95").median(),
        )
        .sort("measure", "level")
    )
    return rows.to_dicts()


def privacy_section(table: pl.DataFrame, policy: Policy, states: list[YearState], *, domain: str = "jeugd",
                    **keys: Any) -> dict[str, Any]:
    """What was protected and how, the budget before and after, and how accurate the releases are. `keys`:
    gemeente, n_wijken, n_providers, years, ledger, dataset_id, synthetic (see `_section`). For another domain
    than jeugd the privacy unit is a client (a person in the Wmo register), not a child."""
    section = _section(table, policy, states, **keys)
    if domain == "jeugd":
        return section
    from ethics._records_schema import JEUGD, layout_of

    lay = layout_of(domain)  # the section is written in youth care's words: put the domain's in their place
    section = _in_words(section, [(f"the four {JEUGD.kinds}", f"the {len(lay.care_types)} {lay.kinds}"),
                                  (f"no real {JEUGD.person}", "no real person"), (JEUGD.people, lay.people),
                                  (JEUGD.person, lay.person), (JEUGD.base, lay.base)])
    section["domain"] = domain
    section["budget"] = (f"the {domain} register has its own budget per reference year in the ledger (apart from "
                         "every other domain's); a person in the registers of two domains has both budgets spent")
    return section


def _in_words(node: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(node, dict):
        return {k: _in_words(v, pairs) for k, v in node.items()}
    if isinstance(node, list):
        return [_in_words(v, pairs) for v in node]
    if isinstance(node, str):
        for old, new in pairs:
            node = node.replace(old, new)
    return node


def _section(
    table: pl.DataFrame,
    policy: Policy,
    states: list[YearState],
    *,
    gemeente: str,
    n_wijken: int,
    n_providers: int,
    years: list[int],
    ledger: Ledger,
    dataset_id: str,
    synthetic: bool,
) -> dict[str, Any]:
    p, d = policy.privacy, policy.disclosure
    status = dict(table.group_by("status").len().iter_rows())
    return {
        "records_used": True,
        "epsilon_spent": str(max((s.spent_after for s in states), default=0)),
        "epsilon_total": str(min((s.total for s in states), default=p.total_epsilon)),  # fixed by the ledger
        "epsilon_spent_this_run": str(p.epsilon_per_release * len(states)),
        "records": "SYNTHETIC register (demo; no real child)"
        if synthetic
        else "municipal records (personal data)",
        "synthetic": synthetic,
        "unit": "one child (client_id) in one reference year",
        "guarantee": GUARANTEE.format(
            first=years[0], last=years[-1], eps=p.epsilon_per_release, total=p.total_epsilon
        ),
        "mechanism": "two-sided geometric (discrete Laplace) noise, P(x) proportional to "
        "exp(-epsilon |x| / sensitivity), sampled exactly (Canonne, Kamath and Steinke 2020: integer "
        "arithmetic, no floating point, no cap on the noise) from os.urandom; pure epsilon-differential "
        "privacy (delta = 0)",
        "dataset_id": dataset_id,
        "reference_years": years,
        "reference_date": p.reference_date,
        "epsilon_per_release": str(p.epsilon_per_release),
        "total_epsilon_per_dataset_and_year": str(p.total_epsilon),
        "measures": _measures(policy),
        "composition": COMPOSITION,
        "contribution_bounds": {
            "per": "child and reference year",
            "wijken_per_child_per_year": 1,
            "max_trajectories_per_child": p.max_trajectories_per_child,
            "max_care_types_per_child": p.max_care_types_per_child,
            "max_providers_per_child": p.max_providers_per_child,
            "cost_clip_eur": list(p.cost_clip_eur),
            "cost_rule": "a trajectory's cost is shared over its days per year; the child's yearly total is "
            "clipped, and each share rounded down to whole euros",
        },
        "key_sets": {
            "regions": f"every wijk of {gemeente} in the latest CBS year ({n_wijken}) plus the gemeente: "
            "public",
            "years": f"{years[0]}-{years[-1]} as stated by the run (the register's declared span up to the "
            "reference year), never read from the records; ongoing trajectories are cut at the end of "
            f"{years[-1]}; rows outside these years are not used",
            "care_types": "the four care types of the records contract plus 'all': public",
            "providers": f"the municipality's public list of {n_providers} contracted providers (run config "
            "[records] providers) plus 'other' for every other or empty provider: no provider name is taken "
            "from the records",
            "same_for_every_register": True,
        },
        "post_processing": [
            "gemeente total = max(0, inverse-variance combination of its direct release and the sum of the "
            "noisy nodes; the sum alone where the measure has no gemeente share)",
            "node values: closest non-negative integers adding up to the gemeente total",
            f"CBS rule: round to {d.rounding_base}, noisy values 0..{d.secret_max} secret, "
            f"released counts >= {d.min_released_count}",
            f"regions with fewer than {d.min_youth_population} youths: too_small",
        ],
        "ledger": {
            "path": str(ledger.path),
            "demo_ledger": synthetic,
            "before": [
                {**s.as_dict(), "spent_after": None, "remaining": str(s.total - s.spent_before)}
                for s in states
            ],
            "after": [s.as_dict() for s in states],
            "sketch": f"bottom-{p.sketch_size} SipHash-2-4 keyed hashes; overlap threshold "
            f"{p.overlap_threshold}",
            "integrity": ledger.integrity(states),
        },
        "cells": {k: int(v) for k, v in status.items()},
        "accuracy": _accuracy_summary(table),
    }
