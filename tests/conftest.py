import os
import sys
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = ROOT / "examples" / "dr-maya-okafor-twitter-archive.zip"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """One cache for the whole run, so the compiled recognisers are built once."""
    return tmp_path_factory.mktemp("cache")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives and dies with one test: no test touches the OS keyring."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch):
    """In this process an in-memory keyring; in the commands a test starts, the null one
    (stores nothing, finds nothing)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch, shared_cache):
    """No test reads the developer's own config or writes into their home."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache))
    return home


@pytest.fixture
def example_archive():
    return EXAMPLE


def run_cli(*args, cwd=None, env_extra=None, timeout=120):
    """Run `python -m auditor ...` as a user would; returns the CompletedProcess."""
    import subprocess
    import tempfile

    # Never the repository root: `python -m` would import the source tree's auditor/ instead
    # of the installed package, whose checks/ and reports/ live under auditor.
    cwd = cwd or tempfile.gettempdir()
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "auditor", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
    )
