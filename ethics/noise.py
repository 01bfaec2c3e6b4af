"""Exact two-sided geometric (discrete Laplace) noise from a secure source, vectorised.

The mechanism adds X with P(X = x) = (1 - p) / (1 + p) * p**|x|, p = exp(-epsilon / sensitivity) (the
integer mechanism of diffprivlib's `Geometric`, pure epsilon-DP for an L1 sensitivity `sensitivity`). The
sampler is exact for every scale and has no cap: it is the algorithm of Canonne, Kamath and Steinke (2020,
"The Discrete Gaussian for Differential Privacy", Algorithms 1 and 2), as OpenDP implements it, run on whole
numpy arrays. With the scale sensitivity / epsilon = t / s in lowest terms (epsilon is an exact Fraction):

    repeat: U uniform on {0..t-1}; accept with Bernoulli(exp(-U/t)); V ~ Geometric(exp(-1)) (the number of
    Bernoulli(exp(-1)) successes before the first failure); Y = (U + t V) // s; a fair sign B; reject
    (B = minus, Y = 0); return +-Y.

Bernoulli(exp(-gamma)) for a rational gamma in [0, 1] is drawn by Bernoulli(gamma / k) trials (Algorithm 1),
each an exact comparison of a uniform integer below den * k with num: integer arithmetic only, no floats.
Uniform integers come from 64-bit words of `os.urandom` (a CSPRNG) by masking and rejection. Scales whose
integers could overflow 64 bits (t >= 2**40, far beyond any policy) take the same algorithm in Python
integers with `secrets`.

Seeded noise exists for tests only: `seeded_noise_for_tests(seed)` is a named context manager, off by
default, and no command of the CLI calls it (a test over the tree enforces that).

Example:
    >>> accuracy_95(Fraction(1, 2), 1)
    6
    >>> with seeded_noise_for_tests(1):
    ...     geometric_noise(np.array([0, 0, 0]), Fraction(1), 1).dtype
    dtype('int64')
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import numpy as np

__all__ = [
    "ratio",
    "geometric_noise",
    "discrete_laplace",
    "pmf",
    "variance",
    "accuracy_95",
    "sum_accuracy_95",
    "combined_accuracy_95",
    "seeded_noise_for_tests",
]

_TEST_RNG: np.random.Generator | None = None
LEVEL = 0.95
_VECTOR_LIMIT = 1 << 40  # t below this: every intermediate integer fits in int64


def ratio(epsilon: Fraction, sensitivity: int) -> float:
    """p = exp(-epsilon / sensitivity), the ratio of the two-sided geometric distribution (descriptive only)."""
    if epsilon <= 0 or sensitivity < 1:
        raise ValueError("epsilon must be positive and sensitivity a positive integer")
    return math.exp(-float(epsilon) / sensitivity)


def pmf(x: np.ndarray, epsilon: Fraction, sensitivity: int) -> np.ndarray:
    """P(X = x) of the noise (float; for tests and descriptions, never for sampling)."""
    p = ratio(epsilon, sensitivity)
    return (1 - p) / (1 + p) * np.power(p, np.abs(np.asarray(x, dtype=float)))


@contextmanager
def seeded_noise_for_tests(seed: int) -> Iterator[None]:
    """TEST ONLY: draw reproducible noise inside the block. Never reachable from the CLI."""
    global _TEST_RNG
    previous, _TEST_RNG = _TEST_RNG, np.random.default_rng(seed)
    try:
        yield
    finally:
        _TEST_RNG = previous


def _words(n: int) -> np.ndarray:
    """n random 64-bit words from os.urandom (or the test generator)."""
    raw = _TEST_RNG.bytes(8 * n) if _TEST_RNG is not None else os.urandom(8 * n)
    return np.frombuffer(raw, dtype=np.uint64)


def _below(n: np.ndarray) -> np.ndarray:
    """Exact uniform integers in [0, n) for each entry of `n` (int64, 1 <= n < 2**62): mask and reject."""
    n = np.asarray(n, dtype=np.int64)
    mask = (n - 1).astype(np.uint64)
    for shift in (1, 2, 4, 8, 16, 32):  # smear the top bit down: the smallest all-ones mask >= n - 1
        mask |= mask >> np.uint64(shift)
    out = np.empty(n.shape, dtype=np.int64)
    todo = np.arange(n.size)
    while todo.size:
        r = (_words(todo.size) & mask[todo]).astype(np.int64)
        ok = r < n[todo]
        out[todo[ok]] = r[ok]
        todo = todo[~ok]
    return out


def _bernoulli_exp(num: np.ndarray, den: int) -> np.ndarray:
    """Exact Bernoulli(exp(-num/den)) per entry, 0 <= num <= den (CKS Algorithm 1): K = 1; while
    Bernoulli(gamma / K): K += 1; success when K is odd."""
    num = np.asarray(num, dtype=np.int64)
    k = np.ones(num.shape, dtype=np.int64)
    active = np.arange(num.size)
    while active.size:
        hit = _below(den * k[active]) < num[active]  # Bernoulli(num / (den k))
        k[active[hit]] += 1
        active = active[hit]
    return (k % 2) == 1


def _geometric_exp1(n: int) -> np.ndarray:
    """n draws of the number of Bernoulli(exp(-1)) successes before the first failure."""
    v = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    while active.size:
        hit = _bernoulli_exp(np.ones(active.size, dtype=np.int64), 1)
        v[active[hit]] += 1
        active = active[hit]
    return v


def _sign_bits(n: int) -> np.ndarray:
    return (_words(n) & np.uint64(1)).astype(bool)


def _laplace_vector(n: int, s: int, t: int) -> np.ndarray:
    out = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while todo.size:
        m = todo.size
        u = _below(np.full(m, t, dtype=np.int64))
        d = _bernoulli_exp(u, t)
        v = _geometric_exp1(m)
        y = (u + t * v) // s
        minus = _sign_bits(m)
        ok = d & ~(minus & (y == 0))
        out[todo[ok]] = np.where(minus, -y, y)[ok]
        todo = todo[~ok]
    return out


def _randbelow(n: int) -> int:
    if _TEST_RNG is not None:
        return int(_TEST_RNG.integers(0, n)) if n < 1 << 63 else secrets.randbelow(n)
    return secrets.randbelow(n)


def _bernoulli_exp_scalar(num: int, den: int) -> bool:
    k = 1
    while _randbelow(den * k) < num:
        k += 1
    return k % 2 == 1


def _laplace_scalar(s: int, t: int) -> int:
    """The same algorithm in Python integers (any size)."""
    while True:
        u = _randbelow(t)
        if not _bernoulli_exp_scalar(u, t):
            continue
        v = 0
        while _bernoulli_exp_scalar(1, 1):
            v += 1
        y = (u + t * v) // s
        minus = _randbelow(2) == 1
        if minus and y == 0:
            continue
        return -y if minus else y


def discrete_laplace(n: int, scale: Fraction) -> np.ndarray:
    """n exact draws with P(X = x) proportional to exp(-|x| / scale), for a positive rational scale."""
    scale = Fraction(scale)
    if scale <= 0:
        raise ValueError("the scale must be positive")
    t, s = scale.numerator, scale.denominator
    if t < _VECTOR_LIMIT and s < _VECTOR_LIMIT:
        return _laplace_vector(n, s, t)
    return np.array([_laplace_scalar(s, t) for _ in range(n)], dtype=object).astype(np.int64)


def geometric_noise(values: np.ndarray, epsilon: Fraction, sensitivity: int) -> np.ndarray:
    """`values` (integers) plus independent exact two-sided geometric noise of scale sensitivity / epsilon.

    Args:
        values: true integer values, any shape.
        epsilon: the privacy loss of this release of the whole array (pure DP), an exact Fraction.
        sensitivity: L1 sensitivity of the array to adding or removing one child (a positive integer).
    """
    epsilon = Fraction(epsilon)
    if epsilon <= 0 or int(sensitivity) != sensitivity or sensitivity < 1:
        raise ValueError("epsilon must be positive and sensitivity a positive integer")
    arr = np.asarray(values, dtype=np.int64)
    draws = discrete_laplace(arr.size, Fraction(int(sensitivity)) / epsilon)
    return arr + draws.reshape(arr.shape)


def variance(epsilon: Fraction, sensitivity: int) -> float:
    """Variance of the noise: 2p / (1 - p)**2 (equal to diffprivlib's `Geometric.variance`)."""
    p = ratio(epsilon, sensitivity)
    return 2 * p / (1 - p) ** 2


def accuracy_95(epsilon: Fraction, sensitivity: int) -> int:
    """Smallest k with P(|noise| <= k) >= 95%, from P(|X| > k) = 2 p**(k+1) / (1 + p)."""
    p = ratio(epsilon, sensitivity)
    k = math.ceil(math.log((1 - LEVEL) * (1 + p) / 2) / math.log(p)) - 1
    while 2 * p ** (k + 1) / (1 + p) > 1 - LEVEL:  # guard against rounding in the logarithms
        k += 1
    return max(k, 0)


def sum_accuracy_95(epsilon: Fraction, sensitivity: int, n: int) -> int:
    """The 95% half-width of the sum of `n` independent draws (a total made of n noisy cells).

    Exact for the integer distribution when the scale is small; for large scales (euros) the grid is
    coarsened and the two-sided geometric approximated by its Laplace limit. Computed by FFT convolution.
    """
    if n <= 1:
        return accuracy_95(epsilon, sensitivity)
    scale = sensitivity / float(epsilon)
    step = max(1, math.ceil(scale / 64))
    half = int(math.ceil(scale * (40 + 8 * math.sqrt(n)) / step))
    size = 1 << int(math.ceil(math.log2(4 * half + 1)))
    grid = np.arange(-half, half + 1) * step
    pmf = np.exp(-np.abs(grid) / scale)
    pmf /= pmf.sum()
    padded = np.zeros(size)
    padded[: pmf.size] = pmf
    total = np.fft.irfft(np.fft.rfft(padded) ** n, size)  # support starts at -n*half
    offsets = (np.arange(size) - n * half) % size  # position of each grid point relative to zero
    values = np.where(offsets > size // 2, offsets - size, offsets) * step
    order = np.argsort(np.abs(values), kind="stable")
    cdf = np.cumsum(np.clip(total[order], 0, None))
    idx = int(np.searchsorted(cdf, LEVEL * cdf[-1]))
    return int(abs(values[order][idx]))


def combined_accuracy_95(parts: list[tuple[float, Fraction, int, int]], draws: int = 200_000) -> int:
    """95% half-width of sum(weight * (sum of `count` draws with epsilon, sensitivity)) over `parts`.

    For estimates that combine a direct release with a sum of noisy cells (inverse-variance weights).
    Computed by simulation of the mechanism's distribution: a sum of n two-sided geometric draws is the
    difference of two negative binomials. The simulation uses a fixed public seed: it describes the
    distribution, it is not the noise that is released.
    """
    rng = np.random.default_rng(20240)
    total = np.zeros(draws)
    for weight, epsilon, sensitivity, count in parts:
        q = 1 - ratio(epsilon, sensitivity)
        total += weight * (rng.negative_binomial(count, q, draws) - rng.negative_binomial(count, q, draws))
    return int(math.ceil(np.quantile(np.abs(total), LEVEL)))
