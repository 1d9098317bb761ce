"""The benchmark archive's own sentences (benchmarks/throughput.py): every risky one identifies
a patient, and none of the harmless ones, look-alikes included ("a 120-year-old oak tree",
"my 82-year-old dad", "the nurses in the ED tonight"), describes a patient at all."""

import importlib.util
import json
import random
import sys

import pytest

from conftest import ROOT, run_cli

spec = importlib.util.spec_from_file_location("throughput", ROOT / "benchmarks" / "throughput.py")
throughput = importlib.util.module_from_spec(spec)
sys.modules["throughput"] = throughput
spec.loader.exec_module(throughput)

PATIENT_CHECKS = {"content.patient-identifiers", "content.patient-encounter"}


@pytest.fixture(scope="module")
def classified(tmp_path_factory):
    gen = throughput.TextGen(random.Random(20261202))
    sentences = {}
    for category in throughput.TEMPLATES:
        for _ in range(150):
            sentences.setdefault(gen.sentence(category), category)
    path = tmp_path_factory.mktemp("synthetic") / "posts.jsonl"
    with path.open("w") as f:
        for n, text in enumerate(sentences):
            f.write(json.dumps({"id": str(n), "text": text, "account_role": "professional"}) + "\n")
    out = run_cli(
        "classify",
        path,
        "--quiet",
        env_extra={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    fired = {row["id"]: set(row["checks"]) for row in map(json.loads, out.stdout.splitlines())}
    return [(cat, text, fired[str(n)]) for n, (text, cat) in enumerate(sentences.items())]


def test_every_risky_sentence_identifies_a_patient(classified):
    missed = [
        t
        for cat, t, got in classified
        if cat == "risky" and "content.patient-identifiers" not in got
    ]
    assert not missed


def test_no_harmless_sentence_describes_a_patient(classified):
    flagged = [t for cat, t, got in classified if cat != "risky" and got & PATIENT_CHECKS]
    assert not flagged
    assert sum(cat == "lookalike" for cat, _, _ in classified) > 50
