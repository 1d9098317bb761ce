"""The repository stays ruff-clean: lint and format, as configured in pyproject.toml."""

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def ruff(*args):
    exe = shutil.which("ruff") or shutil.which("ruff", path=str(ROOT / ".venv" / "bin"))
    cmd = [exe, *args] if exe else [sys.executable, "-m", "ruff", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_ruff_clean(args):
    proc = ruff(*args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
