"""The vectorised integer mechanism: diffprivlib's distribution, secure by default, seeded only in tests."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from ethics import noise

ROOT = Path(__file__).resolve().parents[3]
CASES = [(Fraction(3, 10), 1), (Fraction(1, 5), 2), (Fraction(1, 10), 5), (Fraction(1), 1)]


@pytest.mark.parametrize(("epsilon", "sensitivity"), CASES)
def test_noise_has_the_mechanisms_mean_and_variance(epsilon, sensitivity):
    from diffprivlib.mechanisms import Geometric

    with noise.seeded_noise_for_tests(11):
        draws = noise.geometric_noise(np.zeros(400_000, dtype=np.int64), epsilon, sensitivity)
    expected = Geometric(epsilon=float(epsilon), sensitivity=sensitivity).variance(0)
    assert abs(draws.mean()) < 4 * np.sqrt(expected / len(draws))
    assert draws.var() == pytest.approx(expected, rel=0.03)
    assert noise.variance(epsilon, sensitivity) == pytest.approx(expected)


def test_vectorised_draws_follow_diffprivlibs_own_scalar_draws():
    from diffprivlib.mechanisms import Geometric

    mech = Geometric(epsilon=0.5, sensitivity=1, random_state=5)
    scalar = np.array([mech.randomise(0) for _ in range(20_000)])
    with noise.seeded_noise_for_tests(5):
        vector = noise.geometric_noise(np.zeros(20_000, dtype=np.int64), Fraction(1, 2), 1)
    for k in range(4):  # the two-sided geometric pmf, P(|X| = k)
        assert (np.abs(vector) == k).mean() == pytest.approx((np.abs(scalar) == k).mean(), abs=0.015)


@pytest.mark.parametrize(("epsilon", "sensitivity"), CASES)
def test_accuracy_95_holds_with_95_percent_and_no_more_than_needed(epsilon, sensitivity):
    k = noise.accuracy_95(epsilon, sensitivity)
    p = noise.ratio(epsilon, sensitivity)
    assert 2 * p ** (k + 1) / (1 + p) <= 0.05 < 2 * p**k / (1 + p)


@pytest.mark.parametrize(
    ("epsilon", "sensitivity", "n"),
    [(Fraction(3, 10), 1, 45), (Fraction(1, 5), 2, 4), (Fraction(1, 5), 250_000, 45)],
)
def test_accuracy_of_a_total_matches_simulation(epsilon, sensitivity, n):
    with noise.seeded_noise_for_tests(3):
        draws = noise.geometric_noise(np.zeros(20_000 * n, dtype=np.int64), epsilon, sensitivity)
    sums = draws.reshape(-1, n).sum(axis=1)
    half = noise.sum_accuracy_95(epsilon, sensitivity, n)
    assert (np.abs(sums) <= half).mean() == pytest.approx(0.95, abs=0.01)


def test_noise_is_not_reproducible_outside_the_test_switch():
    a = noise.geometric_noise(np.zeros(1000, dtype=np.int64), Fraction(1, 10), 1)
    b = noise.geometric_noise(np.zeros(1000, dtype=np.int64), Fraction(1, 10), 1)
    assert noise._TEST_RNG is None and not np.array_equal(a, b)


def test_seeded_noise_is_reproducible_inside_the_switch_only():
    with noise.seeded_noise_for_tests(1):
        a = noise.geometric_noise(np.zeros(50, dtype=np.int64), Fraction(1), 1)
    with noise.seeded_noise_for_tests(1):
        b = noise.geometric_noise(np.zeros(50, dtype=np.int64), Fraction(1), 1)
    assert np.array_equal(a, b) and noise._TEST_RNG is None


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("toolkit/**/*.py"), *ROOT.glob("ethics/**/*.py")]),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_seeded_noise_is_unreachable_from_the_cli_and_the_gate(path):
    if path.name == "noise.py":
        return
    names = {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(ast.parse(path.read_text()))
        if isinstance(n, ast.Name | ast.Attribute)
    }
    assert "seeded_noise_for_tests" not in names and "_TEST_RNG" not in names


@pytest.mark.parametrize(("epsilon", "sensitivity"), [(Fraction(0), 1), (Fraction(1), 0)])
def test_invalid_mechanism_parameters_are_refused(epsilon, sensitivity):
    with pytest.raises(ValueError):
        noise.geometric_noise(np.zeros(3, dtype=np.int64), epsilon, sensitivity)
