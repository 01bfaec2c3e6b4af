"""A plain-Python reference of the gate's bounded true aggregates, written from the documented rules
(ethics/_aggregate.py docstring) and sharing no code with the gate: the tests compare the gate with it.

Rules, per child (client_id) and listed year:
- a trajectory runs from start_date to end_date (empty: 31 December of the last listed year) and counts in
  every listed year it touches; its cost is shared over its days (unchanged when it lies within one year);
- wijk: of the trajectory active on the reference date with the latest start, else of the latest-starting
  trajectory of the year (ties: the larger wijk index, care type index, provider index, as the gate's word);
  an empty wijk is the node UNASSIGNED;
- trajectories: the first `max_trajectories_per_child` by (start, row) count; stepped care: 3 or more;
- care types / providers: the first `max_*_per_child` by (earliest start in the year, index);
  providers not in the public list (or empty) are "other";
- cost: the child's yearly total clipped to cost_clip_eur, each share scaled by the same factor and rounded
  down to whole euros; a dropped provider's euros are dropped for the provider measure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

CARE_TYPES = ("jeugdhulp_zonder_verblijf", "jeugdhulp_met_verblijf", "jeugdbescherming", "jeugdreclassering")
UNASSIGNED = "<not in a wijk>"
OTHER = "other"


def reference(rows: list[dict], *, wijk_keys: list[str], years: list[int], providers: list[str], privacy,
              care_types: tuple[str, ...] = CARE_TYPES) -> dict:
    """{(measure, node_or_provider, year, care_type): true value} for every public key (zeros included);
    `care_types` are the domain's (the youth-care four by default, the Wmo provision categories for Wmo)."""
    years = sorted(set(years))
    cut = date(years[-1], 12, 31)
    listed = set(years)
    names = [p.strip() for p in providers]
    nodes = [*wijk_keys, UNASSIGNED]
    month, day = (int(x) for x in privacy.reference_date.split("-"))
    per_child_year: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for index, row in enumerate(rows):
        start, end = row["start_date"], row["end_date"] or cut
        if start > end:
            continue
        whole = (end - start).days + 1
        cost = float(row["cost_eur"] or 0.0)
        for year in range(start.year, end.year + 1):
            if year not in listed:
                continue
            lo, hi = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
            days = (hi - lo).days + 1
            share = cost if days == whole else cost * days / whole
            provider = (row["provider"] or "").strip()
            per_child_year[(row["client_id"], year)].append(
                {
                    "row": index,
                    "start": start,
                    "end": end,
                    "node": nodes.index(row["wijk_code"]) if row["wijk_code"] else len(wijk_keys),
                    "type": care_types.index(row["care_type"]),
                    "prov": names.index(provider) if provider in names else len(names),
                    "share": share,
                }
            )
    out: dict = defaultdict(int)
    lo_clip, hi_clip = privacy.cost_clip_eur
    for (_, year), entries in per_child_year.items():
        ref = date(year, month, day)
        active = [e for e in entries if e["start"] <= ref <= e["end"]]
        pick = max(active or entries, key=lambda e: (e["start"], e["node"], e["type"], e["prov"]))
        node = nodes[pick["node"]]
        out[("clients", node, year, "all")] += 1
        if len(entries) >= 3:
            out[("stepped_care_clients", node, year, "all")] += 1
        for e in sorted(entries, key=lambda e: (e["start"], e["row"]))[: privacy.max_trajectories_per_child]:
            out[("trajectories", node, year, care_types[e["type"]])] += 1
        for t in _first(entries, "type", privacy.max_care_types_per_child):
            out[("clients_by_care_type", node, year, care_types[t])] += 1
        total = sum(e["share"] for e in entries)
        factor = min(max(total, lo_clip), hi_clip) / total if total > 0 else 1.0
        euros = [math.floor(e["share"] * factor) for e in entries]
        kept = set(_first(entries, "prov", privacy.max_providers_per_child))
        for e, eur in zip(entries, euros, strict=True):
            out[("cost_eur", node, year, care_types[e["type"]])] += eur
            if e["prov"] in kept:
                out[("provider_cost_eur", [*names, OTHER][e["prov"]], year, "all")] += eur
        for p in kept:
            out[("provider_clients", [*names, OTHER][p], year, "all")] += 1
    full = {}
    for year in years:
        for node in nodes:
            for m in ("clients", "stepped_care_clients"):
                full[(m, node, year, "all")] = out[(m, node, year, "all")]
            for m in ("clients_by_care_type", "trajectories", "cost_eur"):
                for t in care_types:
                    full[(m, node, year, t)] = out[(m, node, year, t)]
        for p in [*names, OTHER]:
            for m in ("provider_clients", "provider_cost_eur"):
                full[(m, p, year, "all")] = out[(m, p, year, "all")]
    extra = set(out) - set(full)
    assert not extra, f"reference produced keys outside the public key set: {sorted(extra)[:3]}"
    return full


def _first(entries: list[dict], field: str, limit: int) -> list[int]:
    """The first `limit` distinct values of `field` by (earliest start of the value, value)."""
    first: dict[int, date] = {}
    for e in entries:
        first[e[field]] = min(first.get(e[field], e["start"]), e["start"])
    return sorted(first, key=lambda v: (first[v], v))[:limit]


def documented_sensitivities(privacy) -> dict[str, int]:
    """L1 sensitivity of each measure to one person in one year, written from the documented bounds (the
    ethics/_aggregate.py docstring), not taken from the gate."""
    return {
        "clients": 1,
        "stepped_care_clients": 1,
        "clients_by_care_type": privacy.max_care_types_per_child,
        "trajectories": privacy.max_trajectories_per_child,
        "cost_eur": privacy.cost_clip_eur[1],
        "provider_clients": privacy.max_providers_per_child,
        "provider_cost_eur": privacy.cost_clip_eur[1],
    }
