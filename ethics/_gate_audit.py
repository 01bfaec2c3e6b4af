"""The privacy section of audit.json for one pass through the gate (no personal value, no true count)."""

from __future__ import annotations

from typing import Any

import polars as pl

from ethics.ledger import Ledger, YearState
from ethics.policy import Policy

__all__ = ["privacy_section", "COMPOSITION"]

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


def privacy_section(
    table: pl.DataFrame,
    policy: Policy,
    states: list[YearState],
    *,
    gemeente: str,
    n_wijken: int,
    years: list[int],
    ledger: Ledger,
    dataset_id: str,
    synthetic: bool,
) -> dict[str, Any]:
    """What was protected and how, the budget before and after, and how accurate the releases are."""
    p, d = policy.privacy, policy.disclosure
    status = dict(table.group_by("status").len().iter_rows())
    providers = table.filter(pl.col("provider").is_not_null())["provider"].n_unique()
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
        "mechanism": "two-sided geometric (integer) mechanism of diffprivlib, vectorised; randomness from "
        "os.urandom; pure epsilon-differential privacy",
        "dataset_id": dataset_id,
        "reference_years": years,
        "reference_date": p.reference_date,
        "epsilon_per_release": str(p.epsilon_per_release),
        "total_epsilon_per_dataset_and_year": str(p.total_epsilon),
        "measures": _measures(policy),
        "composition": COMPOSITION,
        "contribution_bounds": {
            "wijken_per_child_per_year": 1,
            "max_trajectories_per_child": p.max_trajectories_per_child,
            "max_care_types_per_child": p.max_care_types_per_child,
            "max_providers_per_child": p.max_providers_per_child,
            "cost_clip_eur": list(p.cost_clip_eur),
        },
        "key_sets": {
            "regions": f"every wijk of {gemeente} in the latest CBS year ({n_wijken}) plus the gemeente: "
            "public",
            "years": "the calendar years the records span",
            "care_types": "the four care types of the records contract plus 'all': public",
            "providers": f"the {providers} providers named in the records (organisations, not children); the "
            "key set itself is not protected by noise",
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
