"""The output folder: wijksignaal never deletes or overwrites what it did not write (issue 11, item 1)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from ethics import egress
from ethics.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def _tables() -> list[egress.Table]:
    frame = pl.DataFrame({"region_code": ["WK051802", "GM0518"], "value": [1.0, None], "status": ["ok", "secret"]})
    return [egress.Table("t.csv", frame, withheld=("value",))]


def _publish(policy, out: Path) -> list[Path]:
    return egress.publish(_tables(), [egress.Document("audit.json", "{}")], policy, out)


def _refused(policy, out: Path, match: str) -> ConfigError:
    with pytest.raises(ConfigError, match=match) as err:
        _publish(policy, out)
    assert err.value.exit_code == 2
    assert str(egress._absolute(out)) in str(err.value)
    return err.value


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_folder_gets_the_outputs_and_the_marker_lists_them(policy, tmp_path):
    files = _publish(policy, tmp_path / "a" / "out")
    assert [f.name for f in files] == ["audit.json", "t.csv"]
    marker = json.loads((tmp_path / "a" / "out" / egress.MARKER).read_text())
    assert marker["tool"] == "wijksignaal" and marker["files"] == ["t.csv", "audit.json"]


def test_an_empty_folder_is_used(policy, tmp_path):
    (tmp_path / "out").mkdir()
    _publish(policy, tmp_path / "out")
    assert (tmp_path / "out" / "t.csv").is_file()


def test_current_folder_with_user_files_is_refused_and_untouched(policy, tmp_path, monkeypatch):
    (tmp_path / "thesis.docx").write_text("mine")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.csv").write_text("=mine")
    before = _snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    _refused(policy, Path("."), "did not write")
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "thesis.docx"]


def test_folder_with_user_files_is_refused(policy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "profiles.csv").write_text("a user's own file with an output's name")
    _refused(policy, out, "holds 1 file")
    assert (out / "profiles.csv").read_text().startswith("a user's own file")


def test_user_file_beside_an_earlier_output_is_refused_and_kept(policy, tmp_path):
    out = tmp_path / "out"
    _publish(policy, out)
    (out / "my-notes.txt").write_text("mine")
    _refused(policy, out, "did not write beside its earlier output")
    assert (out / "my-notes.txt").read_text() == "mine" and (out / "t.csv").is_file()


def test_a_forged_marker_does_not_license_deleting_other_files(policy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / egress.MARKER).write_text(json.dumps({"tool": "wijksignaal", "files": ["../x", "a.csv"]}))
    (out / "a.csv").write_text("mine")
    _refused(policy, out, "did not write")  # an invalid marker counts as no marker
    assert (out / "a.csv").read_text() == "mine"


def test_symlink_to_a_folder_is_refused_and_the_target_untouched(policy, tmp_path):
    target = tmp_path / "real"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    _refused(policy, link, "symbolic link")
    assert link.is_symlink() and (target / "keep.txt").read_text() == "mine"


def test_symlink_even_to_an_empty_folder_or_nowhere_is_refused(policy, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "l1").symlink_to(tmp_path / "empty")
    (tmp_path / "l2").symlink_to(tmp_path / "missing")
    _refused(policy, tmp_path / "l1", "symbolic link")
    _refused(policy, tmp_path / "l2", "symbolic link")
    assert list((tmp_path / "empty").iterdir()) == [] and not (tmp_path / "missing").exists()


def test_a_file_is_refused_and_not_replaced(policy, tmp_path):
    target = tmp_path / "report.pdf"
    target.write_text("mine")
    _refused(policy, target, "is a file")
    assert target.read_text() == "mine"


@pytest.mark.parametrize(("err", "reason"), [(errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full"),
                                             (errno.EACCES, "permission denied")])
def test_unwritable_folder_is_a_usage_error_without_partial_output(policy, tmp_path, monkeypatch, err, reason):
    # Tests may run as root, where chmod does not stop a write: the write itself fails as the OS would.
    calls = {"n": 0}
    real = egress._write

    def failing(item, folder):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(err, os.strerror(err))
        real(item, folder)

    monkeypatch.setattr(egress, "_write", failing)
    _refused(policy, tmp_path / "out", reason)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_the_marker_leaves_nothing(policy, tmp_path, monkeypatch):
    def full(folder, names):
        (folder / egress.MARKER).write_text("{")  # half written
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(egress, "_write_marker", full)
    _refused(policy, tmp_path / "out", "disk is full")
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_parent_is_a_usage_error(policy, tmp_path, monkeypatch):
    def no_mkdir(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", no_mkdir)
    with pytest.raises(ConfigError, match="read-only") as err:
        _publish(policy, tmp_path / "out")
    assert err.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    return int(proc.stdout)


def test_leftovers_of_killed_runs_are_removed_but_only_ours(policy, tmp_path):
    dead = _dead_pid()
    ours = tmp_path / f".out{egress.TMP_INFIX}{dead}-abcd"
    ours.mkdir()
    (ours / egress.MARKER).write_text(json.dumps({"tool": "wijksignaal", "files": ["profiles.csv"]}))
    (ours / "profiles.csv").write_text("region_code,val")  # truncated
    foreign = tmp_path / f".out{egress.TMP_INFIX}{dead}-ffff"  # our prefix, but no marker
    foreign.mkdir()
    (foreign / "x").write_text("mine")
    live = tmp_path / f".out{egress.TMP_INFIX}{os.getppid()}-eeee"  # a running process: not touched
    live.mkdir()
    (live / egress.MARKER).write_text(json.dumps({"tool": "wijksignaal", "files": []}))
    _publish(policy, tmp_path / "out")
    assert not ours.exists()
    assert (foreign / "x").read_text() == "mine" and live.exists()


def test_a_run_killed_while_writing_leaves_no_output_and_the_next_run_cleans_up(policy, tmp_path):
    out = tmp_path / "out"
    script = f"""
import sys, time
from pathlib import Path
import polars as pl
from ethics import egress
from ethics.policy import load_policy
real = egress._write
def slow(item, folder):
    real(item, folder)
    print("written", flush=True)
    time.sleep(60)
egress._write = slow
frame = pl.DataFrame({{"region_code": ["GM0518"], "status": ["ok"]}})
egress.publish([egress.Table("t.csv", frame)], [egress.Document("audit.json", "{{}}")], load_policy(),
               Path({str(out)!r}))
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env) as proc:
        try:
            first = proc.stdout.readline().strip()
        finally:
            proc.kill()  # SIGKILL: no clean-up code of the run can run
            proc.wait()
    assert first == "written"
    leftovers = [p for p in tmp_path.iterdir() if egress.TMP_INFIX in p.name]
    assert len(leftovers) == 1 and not out.exists()
    _publish(policy, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_bug_while_writing_leaves_no_partial_output_and_the_earlier_output_intact(policy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    _publish(policy, out)
    before = _snapshot(out)
    real = egress._write

    def broken(item, folder):
        if item.name == "audit.json":
            raise KeyError("a bug")
        real(item, folder)

    monkeypatch.setattr(egress, "_write", broken)
    with pytest.raises(KeyError):
        _publish(policy, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
