"""The exact two-sided geometric sampler: its exact pmf (chi-square, tails included), secure by default, seeded
only in tests."""

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
        draws = noise.geometric_noise(np.zeros(200_000, dtype=np.int64), epsilon, sensitivity)
    expected = Geometric(epsilon=float(epsilon), sensitivity=sensitivity).variance(0)
    assert abs(draws.mean()) < 4 * np.sqrt(expected / len(draws))
    assert draws.var() == pytest.approx(expected, rel=0.03)
    assert noise.variance(epsilon, sensitivity) == pytest.approx(expected)


def _cdf(x: np.ndarray, p: float) -> np.ndarray:
    """P(X <= x) of the two-sided geometric distribution with ratio p (closed form)."""
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 - p ** (x + 1) / (1 + p), p ** (-x) / (1 + p))


def _bins(p: float) -> np.ndarray:
    """Right edges of bins (integers) with at least 1e-4 probability each: single values near 0 where they are
    likely, quantile ranges elsewhere, and tail bins at 1e-3 and 1e-4 on both sides."""
    probs = np.r_[1e-4, 1e-3, np.linspace(0.02, 0.98, 49), 1 - 1e-3, 1 - 1e-4]
    scale = -1 / np.log(p)
    edges = []
    for q in probs:  # smallest integer x with P(X <= x) >= q: the Laplace quantile, then corrected exactly
        x = int(round(scale * (np.log(2 * q) if q < 0.5 else -np.log(2 * (1 - q)))))
        while _cdf(x - 1, p) >= q:
            x -= 1
        while _cdf(x, p) < q:
            x += 1
        edges.append(x)
    return np.unique(edges)


@pytest.mark.parametrize(
    ("epsilon", "sensitivity"),
    [(Fraction(3, 10), 1), (Fraction(1, 5), 2), (Fraction(7, 3), 1), (Fraction(1, 10), 250_000)],
)
def test_draws_follow_the_exact_pmf_tails_included(epsilon, sensitivity):
    from scipy.stats import chisquare

    n = 200_000
    with noise.seeded_noise_for_tests(17):
        draws = noise.geometric_noise(np.zeros(n, dtype=np.int64), epsilon, sensitivity)
    p = noise.ratio(epsilon, sensitivity)
    edges = _bins(p)
    expected = np.diff(np.r_[0.0, _cdf(edges, p), 1.0]) * n
    observed = np.bincount(np.searchsorted(edges, draws, side="left"), minlength=len(edges) + 1)
    assert expected.min() >= 15 and len(edges) >= 4
    assert chisquare(observed, expected).pvalue > 1e-3
    for tail in (0, 1, -2, -1):  # the outer bins (about 1e-4 and 1e-3 of the mass on each side), one by one
        assert abs(observed[tail] - expected[tail]) < 5 * np.sqrt(expected[tail])


def test_the_big_integer_path_samples_the_same_distribution():
    scale = Fraction(5, 2)
    with noise.seeded_noise_for_tests(4):
        small = noise._laplace_vector(4000, scale.denominator, scale.numerator)
        big = np.array([noise._laplace_scalar(scale.denominator, scale.numerator) for _ in range(4000)])
    p = float(np.exp(-1 / float(scale)))
    for draws in (small, big):
        for k in range(4):
            assert (np.abs(draws) == k).mean() == pytest.approx(
                (1 if k == 0 else 2) * (1 - p) / (1 + p) * p**k, abs=0.025
            )


def test_there_is_no_cap_on_the_noise():
    """The old inverse-CDF sampler could not exceed about 122 for clients (53-bit uniforms); an exact
    sampler reaches any value: with a huge scale, values far beyond that appear at once."""
    with noise.seeded_noise_for_tests(8):
        draws = noise.geometric_noise(np.zeros(1000, dtype=np.int64), Fraction(1, 10**6), 1)
    assert np.abs(draws).max() > 10**6


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
