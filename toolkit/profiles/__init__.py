"""Wijk profiles: how each wijk compares, which collective signals stand out, and where to act first.

Modules (in data-flow order):
- `_catalogue`: the signals (open indicators), their groups, need direction and Dutch/English labels.
- `_signals`: latest known value per wijk, gemeente and national percentiles, the long signal table.
- `_target`: the training target of the norm (reference year, or pooled over years; precision weights).
- `_crossfit`: grouped cross-fitting by gemeente (out-of-fold predictions, fold models, R2/MAE).
- `_expected`: `ExpectedRateModel` (scikit-learn contract) with exact SHAP contributions; linear reference.
- `_gemeente`: the gemeente's own level from its other wijken (leave-wijk-out, shrunk by n / (n + k)).
- `_validation`: both expected rates out of sample: R2, MAE, calibration per decile, the chosen k.
- `_national`: the national fit over all Dutch wijken (norm + gemeente level) and SHAP per signal group.
- `_proxy`: proxy strength of the features for the non-western migration share (audit only).
- `_typology`: named wijk types from the signal profile (k-means, fixed seed).
- `_priority`: risk index (0-100, weights shown), rank, top signals, priority list, forecast-growth hook.
- `_releases`: the gate's released stepped-care share and care-type mix per wijk (with records).
- `_config`, `_audit`: the stage settings and the "profiles" section of audit.json.
- `_profile`: `build_profiles()` -> `ProfileResult`.
"""

from toolkit.profiles._audit import RATE_EXPLANATIONS, rate_sentences
from toolkit.profiles._config import ProfileConfig
from toolkit.profiles._expected import ExpectedRateModel
from toolkit.profiles._priority import PRIORITY_COLUMNS, RISK_WEIGHTS, add_forecast_growth
from toolkit.profiles._profile import PROFILE_COLUMNS, WITHHELD, ProfileResult, build_profiles
from toolkit.profiles._signals import SIGNAL_COLUMNS

__all__ = ["PROFILE_COLUMNS", "PRIORITY_COLUMNS", "RATE_EXPLANATIONS", "RISK_WEIGHTS", "SIGNAL_COLUMNS",
           "WITHHELD", "ExpectedRateModel", "ProfileConfig", "ProfileResult", "add_forecast_growth",
           "build_profiles", "rate_sentences"]
