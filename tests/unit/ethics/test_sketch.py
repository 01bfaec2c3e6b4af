"""Keyed sketches of client ids: SipHash-2-4 as specified, overlap estimated without any id stored."""

from __future__ import annotations

import polars as pl
import pytest

from ethics._sketch import bottom_k, estimated_size, overlap, siphash24

KEY = bytes(range(16))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (b"", 0x726FDB47DD0E0E31),  # the reference vectors of the SipHash paper (key 00..0f)
        (bytes(range(8)), 0x93F5F5799A932462),
        (bytes(range(15)), 0xA129CA6149BE45E5),
    ],
)
def test_siphash_reference_vectors(message, expected):
    assert int(siphash24(pl.Series([message.decode()]), KEY)[0]) == expected


def test_mixed_lengths_hash_like_one_at_a_time():
    ids = ["a", "SYN-123456789", "", "ééé", "x" * 40]
    together = siphash24(pl.Series(ids), KEY)
    assert [int(h) for h in together] == [int(siphash24(pl.Series([i]), KEY)[0]) for i in ids]


def test_a_different_key_gives_unrelated_hashes():
    ids = pl.Series([f"c{i}" for i in range(100)])
    assert set(siphash24(ids, KEY)).isdisjoint(set(siphash24(ids, bytes(16))))


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (range(0, 20_000), range(0, 18_000), 0.9, 1.0),  # an edited copy: 10% of rows dropped
        (range(0, 20_000), range(2_000, 22_000), 0.8, 0.95),  # most children the same, some new
        (range(0, 20_000), range(20_000, 40_000), 0.0, 0.05),  # disjoint children
        (range(0, 100), range(50, 150), 0.5, 0.5),  # small sets: exact
    ],
)
def test_overlap_estimate(a, b, low, high):
    sa = bottom_k(pl.Series([f"c{i}" for i in a]), KEY, 256)
    sb = bottom_k(pl.Series([f"c{i}" for i in b]), KEY, 256)
    assert low <= overlap(sa, sb, 256) <= high


def test_size_estimate_and_no_ids_in_the_sketch():
    ids = pl.Series([f"SYN-{i}" for i in range(50_000)])
    sketch = bottom_k(ids, KEY, 256)
    assert len(sketch) == 256 and all(isinstance(h, int) for h in sketch)
    assert estimated_size(sketch, 256) == pytest.approx(50_000, rel=0.2)
