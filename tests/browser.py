"""Debian's headless Chromium for the HTML tests: the page is drawn or its DOM dumped from a
file URL, with networking off; a test is skipped where chromium is not installed."""

import shutil
import subprocess

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium(tmp_path, *args):
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    proc = subprocess.run(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def screenshot(tmp_path, page, size):
    """Draw `page` (a file) at `size` ("1280,2000") and check the PNG is of that size and not
    blank; its bytes."""
    shot = tmp_path / f"shot-{size.split(',')[0]}.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={size}", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert f"{width},{height}" == size
    assert len(data) > 50_000  # a drawn page, not a blank one
    return data
