"""The two choke points and the one-way dependency, enforced over the source tree (AST, not grep)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("toolkit/**/*.py"), *ROOT.glob("ethics/**/*.py")])
# Calls that write files. Only ethics/egress.py may write outputs; the listed exceptions write inputs or state
# that are not run outputs: the embedded-data build (make data), the ledger (SQLite), the SYNTHETIC demo
# register, the data refresh (a user input file) and the demo-records command.
WRITE_CALLS = {"write_csv", "write_parquet", "write_text", "write_bytes", "write_json", "write_ipc", "to_csv"}
WRITERS_ALLOWED = {"ethics/egress.py", "toolkit/sources/build.py", "toolkit/finance/build.py", "ethics/synthetic.py",
                   "ethics/ledger.py",
                   "toolkit/sources/live.py", "toolkit/cli/demo_records.py", "toolkit/cli/data.py"}


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _called_attrs(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}


@pytest.mark.parametrize("path", [p for p in SOURCES if _rel(p).startswith("ethics/")], ids=_rel)
def test_ethics_never_imports_toolkit(path):
    assert not any(m == "toolkit" or m.startswith("toolkit.") for m in _imports(path))


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_only_egress_writes_outputs(path):
    if _rel(path) in WRITERS_ALLOWED:
        return
    assert not (_called_attrs(path) & WRITE_CALLS), f"{_rel(path)} writes a file outside ethics/egress.py"


def test_errors_module_is_a_leaf():
    assert _imports(ROOT / "ethics/errors.py") <= {"__future__", "dataclasses"}
