"""The integer (geometric) mechanism of diffprivlib, vectorised, with secure randomness.

diffprivlib's `Geometric(epsilon, sensitivity)` adds two-sided geometric noise with ratio
p = exp(-epsilon / sensitivity): P(X = x) = (1 - p) / (1 + p) * p**|x|. Its `randomise` draws one value at a
time; `geometric_noise` draws a whole array with the same inverse-CDF formula, from uniforms made of
operating-system randomness (`os.urandom`, a CSPRNG), never from a seedable generator.

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
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import numpy as np

__all__ = [
    "ratio",
    "geometric_noise",
    "variance",
    "accuracy_95",
    "sum_accuracy_95",
    "combined_accuracy_95",
    "seeded_noise_for_tests",
]

_TEST_RNG: np.random.Generator | None = None
LEVEL = 0.95


def ratio(epsilon: Fraction, sensitivity: int) -> float:
    """p = exp(-epsilon / sensitivity), diffprivlib's ratio of the two-sided geometric distribution."""
    if epsilon <= 0 or sensitivity < 1:
        raise ValueError("epsilon must be positive and sensitivity a positive integer")
    return math.exp(-float(epsilon) / sensitivity)


@contextmanager
def seeded_noise_for_tests(seed: int) -> Iterator[None]:
    """TEST ONLY: draw reproducible noise inside the block. Never reachable from the CLI."""
    global _TEST_RNG
    previous, _TEST_RNG = _TEST_RNG, np.random.default_rng(seed)
    try:
        yield
    finally:
        _TEST_RNG = previous


def _uniform(n: int) -> np.ndarray:
    """n uniforms in (0, 1) with 53 random bits each, from os.urandom (or the test generator)."""
    raw = _TEST_RNG.bytes(8 * n) if _TEST_RNG is not None else os.urandom(8 * n)
    bits = np.frombuffer(raw, dtype=np.uint64)
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def geometric_noise(values: np.ndarray, epsilon: Fraction, sensitivity: int) -> np.ndarray:
    """`values` (integers) plus independent two-sided geometric noise, as diffprivlib's `Geometric.randomise`.

    Args:
        values: true integer values, any shape.
        epsilon: the privacy loss of this release of the whole array (pure DP).
        sensitivity: L1 sensitivity of the array to adding or removing one child.
    """
    from diffprivlib.mechanisms import Geometric

    Geometric(epsilon=float(epsilon), sensitivity=int(sensitivity))  # diffprivlib validates the parameters
    arr = np.asarray(values, dtype=np.int64)
    p = ratio(epsilon, sensitivity)
    u = (_uniform(arr.size) - 0.5) * (1 + p)  # diffprivlib: overlap of 0 between the two signs
    sign = np.where(u < 0, -1, 1)
    magnitude = np.floor(np.log(np.abs(u)) / math.log(p))
    return arr + (sign * magnitude).astype(np.int64).reshape(arr.shape)


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
