"""Profile quality and speed on the real panel: the expected-rate model out of sample, and the proxy strength.

Prints, for the embedded CBS panel (all Dutch wijken of 2022):
- R2 and MAE (percentage points) of the expected youth-care rate, out of fold with GroupKFold(5) by gemeente,
  for the model (gradient-boosted trees) and for a plain linear model on the same features and folds, over
  the wijken with at least the policy's minimum youth population (the ones that get a profile) and over all
  wijken with an observed rate;
- the proxy strength: out-of-sample R2 of the non-western migration share predicted from the model features
  (same folds), and the rank correlation of the expected rate with that share;
- the wall time of build_profiles for one gemeente (Den Haag) and for all gemeenten, twice each (the second
  run shows the steady state; nothing is cached on disk).

Usage: .venv/bin/python bench/bench_profiles.py
"""

from __future__ import annotations

import time

from ethics.policy import load_policy
from toolkit.panel import build_panel
from toolkit.profiles import build_profiles
from toolkit.sources import load_panel


def _timed(frame, policy, scope):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = build_profiles(build_panel(frame, scope), policy)
    return result, time.perf_counter() - start


def _scores(label: str, s: dict) -> str:  # type: ignore[type-arg]
    return f"  {label:<46} R2 {s['r2']:>6.3f}   MAE {s['mae']:>5.3f} pp   n {s['n']}"


def main() -> None:
    """Build the profiles and print the figures."""
    frame, policy = load_panel(), load_policy()
    one, t_one = _timed(frame, policy, ["GM0518"])
    _, t_one2 = _timed(frame, policy, ["GM0518"])
    every, t_all = _timed(frame, policy, None)
    _, t_all2 = _timed(frame, policy, None)
    v = one.audit["model"]["validation"]
    print(f"Expected youth-care rate, reference year {one.audit['reference_year']}: {v['scheme']}")
    for who in ("model", "linear"):
        name = "model (gradient-boosted trees)" if who == "model" else "plain linear model (OLS)"
        print(_scores(f"{name}, >= min youth", v[who]["wijken_min_youth"]))
        print(_scores(f"{name}, all wijken", v[who]["all_wijken"]))
    p = one.audit["proxy"]
    print(f"Proxy strength (non-western migration share ~ model features, {p['validation']}):")
    print(_scores("model", p["model"]))
    print(_scores("linear", p["linear"]))
    print(f"  proxy strength R2 {p['proxy_strength_r2']:.3f} ({p['band']}); Spearman(expected rate, share) "
          f"{p['spearman_expected_rate_vs_share']:.3f}")
    print("Typology: " + "; ".join(f"{t['id']} {t['name_en']} ({t['n_wijken']})"
                                   for t in one.audit["typology"]["types"]))
    print(f"build_profiles, 1 gemeente ({one.table.height} wijken): {t_one:.2f} s, again {t_one2:.2f} s")
    print(f"build_profiles, all gemeenten ({every.table.height} wijken): {t_all:.2f} s, again {t_all2:.2f} s")
    same = every.table.filter(every.table["gemeente_code"] == "GM0518").equals(one.table)
    print(f"Den Haag rows identical in the one-gemeente and the all-gemeenten run: {same}")


if __name__ == "__main__":
    main()
