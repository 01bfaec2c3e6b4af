"""`fairness.on_fail = block`: a failing fairness audit refuses the run with exit 4 and writes nothing."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from ethics.policy import DEFAULT_POLICY_PATH
from toolkit.cli import app

runner = CliRunner()


def _policy(tmp_path, on_fail: str):
    """The shipped policy with fairness limits so tight that Den Haag's real figures fail them."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    for key, value in (("on_fail", f'"{on_fail}"'), ("max_ratio_flag", "1.0"), ("max_ratio_fail", "1.0"),
                       ("max_bias_flag", "0.01"), ("max_bias_fail", "0.01"), ("min_group_regions", "1")):
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M)
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_block_refuses_with_exit_4_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--policy", str(_policy(tmp_path, "block")), "--out", str(out)])
    assert result.exit_code == 4, result.output
    assert "fairness audit fails" in result.output and "no priority list" in result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["policy.toml"]


def test_flag_publishes_the_same_failure_for_review(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "--policy", str(_policy(tmp_path, "flag")), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "fail" in (out / "fairness.csv").read_text()
    assert "afwijzing" in (out / "audit_report.html").read_text(encoding="utf-8")
