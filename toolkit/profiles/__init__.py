"""Wijk profiles: how each wijk compares, which collective signals stand out, and a risk index.

Modules (in data-flow order):
- `_signals`: national and gemeente percentiles of open indicators, plain-language labels.
- `_profile`: observed and expected youth-care rate, risk index, rank, status.
"""

from toolkit.profiles._profile import PROFILE_COLUMNS, build_profiles

__all__ = ["PROFILE_COLUMNS", "build_profiles"]
