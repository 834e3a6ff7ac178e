"""CI runs the security checks: `make test` (which `.ci/run` calls) runs bandit over
tracker/ (medium and high findings fail) and pytest, which collects tests/security."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tracker import ROOT

BANDIT = Path(sys.executable).parent / "bandit"


def recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    assert match, f"no {target} target"
    return [line.strip() for line in match.group(1).splitlines()]


def bandit_command() -> str:
    match = re.search(r"^BANDIT\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match
    return match.group(1)


def test_make_test_runs_bandit_and_pytest_and_ci_runs_make_test() -> None:
    assert bandit_command().split() == ["$(BIN)/bandit", "-q", "-r", "tracker", "-ll"]
    for target in ("test", "lint", "security"):
        assert "$(BANDIT)" in recipe(target), target
    assert "$(BIN)/pytest" in recipe("test")
    assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(), re.MULTILINE)
    # pytest collects tests/ as a whole, so the security tests run in `make test`.
    assert 'testpaths = ["tests"]' in (ROOT / "pyproject.toml").read_text()


def bandit(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed program on our own files
        [str(BANDIT), "-q", "-r", str(path), "-ll"], capture_output=True, text=True, check=False
    )


def test_bandit_finds_no_medium_or_high_issue_in_tracker() -> None:
    result = bandit(ROOT / "tracker")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("line", "fails"),
    [
        ("subprocess.call(command, shell=True)", True),
        ("subprocess.call(command, shell=True)  # nosec B602  # a fixed command", False),
        ("random.random()", False),  # low severity: reported, but does not fail
    ],
)
def test_the_gate_fails_on_medium_or_high_unless_marked(
    tmp_path: Path, line: str, fails: bool
) -> None:
    (tmp_path / "sample.py").write_text(
        f"import random\nimport subprocess\n\n\ndef run(command):\n    {line}\n"
    )
    assert (bandit(tmp_path).returncode != 0) is fails
