"""The national fits computed once per distinct input, for running many gemeenten one by one in one process
(tests/e2e/test_every_gemeente.py and bench/every_gemeente.py).

fit_national, proxy_strength and the national fairness rows learn from all Dutch wijken and are the same for
every gemeente: `patch_national(setattr)` wraps them in a cache keyed by the content of their inputs, so a run
differs from a fresh process only in not refitting identical models (and in reusing the first run's bootstrap
draws for a cached fairness row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any


def _digest(value: object) -> object:
    import numpy as np
    import polars as pl

    if isinstance(value, pl.DataFrame):
        return ("frame", tuple(value.columns), hashlib.sha256(value.hash_rows(seed=1).to_numpy().tobytes()).digest())
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, hashlib.sha256(np.ascontiguousarray(value).tobytes()).digest())
    if isinstance(value, np.random.Generator):  # the bootstrap draws of a cached fairness row are the first run's
        return "rng"
    try:
        hash(value)
    except TypeError:
        return ("repr", repr(value))
    return value


def memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` computed once per distinct content of its arguments."""
    cache: dict[object, object] = {}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (tuple(map(_digest, args)), tuple(sorted((k, _digest(v)) for k, v in kwargs.items())))
        if key not in cache:
            cache[key] = fn(*args, **kwargs)
        return cache[key]

    return wrapper


def patch_national(setattr_: Callable[[Any, str, Any], None]) -> None:
    """Wrap the national fits in `memo` with `setattr_` (builtins.setattr, or a MonkeyPatch's setattr)."""
    from ethics import fairness
    from toolkit.profiles import _profile

    for module, name in ((_profile, "fit_national"), (_profile, "proxy_strength"), (fairness, "_rows_for")):
        setattr_(module, name, memo(getattr(module, name)))
