"""Which Iv3 taakvelden are youth care, which care type each one is, and which are booked apart.

The Iv3 scheme changed in 2025. 2023-2024: 6.72a-d (without residence), 6.73a-c (with residence), 6.74a-c
(GGZ without residence, crisis/LTA/GGZ with residence, closed placement), 6.82a/6.82b (protection,
probation). 2025: 6.751-6.753 (ambulant), 6.761-6.763 (with residence), 6.792 (PGB), 6.821/6.822.
To compare 2023 with 2025 the codes map onto the care types of the records contract: 6.74a goes with care
without residence (ambulant GGZ), 6.74b-c with residence; PGB is its own type from 2025 (before, a
gemeente booked it within the other taakvelden). The aggregate rows 6.72 and 6.82 are totals of their
sub-rows in the source and are skipped, never added.

Youth teams and access are not care and not in any price: 6.2 Wijkteams (2023-2024, teams for every
domain, not youth alone) and 6.22 Toegang Jeugd (2025), plus 6.92 Coordination and policy youth (2025).
"""

from __future__ import annotations

__all__ = ["CARE_TYPES", "ACCESS", "care_type_of", "access_of", "YOUTH_CODES"]

CARE_TYPES = (
    "jeugdhulp_zonder_verblijf",
    "jeugdhulp_met_verblijf",
    "jeugdhulp_pgb",
    "jeugdbescherming",
    "jeugdreclassering",
)
_BY_CODE = {
    **dict.fromkeys(("6.72a", "6.72b", "6.72c", "6.72d", "6.74a"), "jeugdhulp_zonder_verblijf"),
    **dict.fromkeys(("6.73a", "6.73b", "6.73c", "6.74b", "6.74c"), "jeugdhulp_met_verblijf"),
    "6.82a": "jeugdbescherming",
    "6.82b": "jeugdreclassering",
    **dict.fromkeys(("6.751", "6.752", "6.753"), "jeugdhulp_zonder_verblijf"),
    **dict.fromkeys(("6.761", "6.762", "6.763"), "jeugdhulp_met_verblijf"),
    "6.792": "jeugdhulp_pgb",
    "6.821": "jeugdbescherming",
    "6.822": "jeugdreclassering",
}
YOUTH_CODES = tuple(_BY_CODE)
ACCESS = {
    "6.2": "wijkteams_alle_domeinen",
    "6.22": "toegang_jeugd",
    "6.92": "beleid_jeugd",
}


def care_type_of(code: str) -> str | None:
    """The care type of a youth-care taakveld code, None for any other code.

    >>> care_type_of("6.74b"), care_type_of("6.761"), care_type_of("6.72"), care_type_of("6.2")
    ('jeugdhulp_met_verblijf', 'jeugdhulp_met_verblijf', None, None)
    """
    return _BY_CODE.get(code)


def access_of(code: str) -> str | None:
    """The access/teams measure of a taakveld booked apart from youth care, None otherwise.

    >>> access_of("6.2"), access_of("6.22"), access_of("6.23")
    ('wijkteams_alle_domeinen', 'toegang_jeugd', None)
    """
    return ACCESS.get(code)
