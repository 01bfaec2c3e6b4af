"""The examples in the docstrings of the ethics core run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["ethics.policy", "ethics.noise", "ethics.disclosure", "ethics._sketch", "ethics.records"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
