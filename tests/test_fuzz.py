"""A few seconds of each fuzz target of benchmarks/fuzz.py, without atheris: hypothesis mutates
the same seed exports, and a crash, hang, multi-line error or written file fails the test with
the shrunk input. The 10-minute campaign is `python benchmarks/fuzz.py --seconds 600`."""

import importlib.util
import sys
import tempfile
import time

import pytest

from auditor.plugins import discover

from conftest import ROOT

pytest.importorskip("hypothesis")

EXAMPLES = 40  # each target: about a second and a half of mutated seeds


def _load():
    spec = importlib.util.spec_from_file_location("auditor_fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


fuzz = _load()


@pytest.fixture
def harness(tmp_path, monkeypatch):
    """A harness that also watches a private cwd and TMPDIR for files an importer writes."""
    for sub in ("work", "cwd", "tmp"):
        (tmp_path / sub).mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))

    def make(name, time_limit=5.0):
        return fuzz.Harness(
            name, tmp_path / "work", time_limit, watch=(tmp_path / "cwd", tmp_path / "tmp")
        )

    return make


def test_every_registered_source_is_a_target_with_its_own_seeds():
    assert set(fuzz.targets()) == set(discover().sources)
    assert set(discover().sources) <= set(fuzz.SEEDS), "add seeds for the new importer"


@pytest.mark.parametrize("name", sorted(discover().sources))
def test_target_survives_its_seeds_and_mutations(harness, name):
    h = harness(name)
    for data in fuzz.corpus(h.target):
        h.run(data)
    started = time.monotonic()
    assert fuzz.fuzz_hypothesis(h, max_examples=EXAMPLES, seed=0) >= 1
    assert time.monotonic() - started < 20


def _sabotage(monkeypatch, name, read):
    monkeypatch.setattr(discover().sources[name], "read", read)


def test_an_importer_that_raises_fails_the_target(harness, monkeypatch):
    def read(self, archive, detection):
        raise KeyError("oops")

    _sabotage(monkeypatch, "reddit", read)
    with pytest.raises(fuzz.Crash) as info:
        fuzz.fuzz_hypothesis(harness("reddit"), max_examples=5)
    assert info.value.kind == "KeyError" and info.value.signature.startswith("KeyError@")


def test_an_importer_that_hangs_fails_the_target(harness, monkeypatch):
    def read(self, archive, detection):
        while True:
            pass

    _sabotage(monkeypatch, "reddit", read)
    h = harness("reddit", time_limit=0.2)
    with pytest.raises(fuzz.Crash) as info:
        h.run(fuzz.corpus(h.target)[0])
    assert info.value.kind == "hang"


def test_an_importer_that_writes_a_file_fails_the_target(harness, monkeypatch):
    original = discover().sources["reddit"].read

    def read(self, archive, detection):
        tempfile.NamedTemporaryFile(delete=False).close()  # into the watched TMPDIR
        return original(self, archive, detection)

    _sabotage(monkeypatch, "reddit", read)
    h = harness("reddit")
    with pytest.raises(fuzz.Crash) as info:
        h.run(fuzz.corpus(h.target)[0])
    assert info.value.kind == "wrote"
