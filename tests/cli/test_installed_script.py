"""The installed console script, run as a user runs it (one subprocess test)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).with_name("wijksignaal")


def test_help_lists_every_command_and_does_not_import_heavy_libraries():
    exe = str(EXE) if EXE.exists() else shutil.which("wijksignaal")
    assert exe, "the wijksignaal console script must be installed"
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for command in ("run", "validate", "demo-records", "ledger", "data"):
        assert command in proc.stdout
    probe = ("import sys, toolkit.cli; heavy = {'sklearn','shap','fairlearn','diffprivlib','pandera','jinja2',"
             "'polars'} & set(m.split('.')[0] for m in sys.modules); print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", f"--help imports heavy libraries: {out.stdout}"
