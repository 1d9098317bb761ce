"""benchmarks/detection.py scores what classify reports, and says what it cannot measure."""

import importlib.util
import json
import sys

from conftest import ROOT

spec = importlib.util.spec_from_file_location("detection", ROOT / "benchmarks" / "detection.py")
detection = importlib.util.module_from_spec(spec)
sys.modules["detection"] = detection
spec.loader.exec_module(detection)


def post(rid, phi, encounter, **extra):
    labels = {"phi": phi, "encounter": encounter, "advice": False, "domain": "personal"}
    return {"id": rid, "text": "x", "labels": labels, **extra}


def test_scores_each_label_against_its_checks():
    records = [post("a", True, True), post("b", False, True), post("c", False, False)]
    got = {
        "a": ["content.patient-identifiers"],
        "b": ["content.patient-identifiers"],  # encounter right, phi a false positive
        "c": [],
    }
    installed = {"content.patient-identifiers", "content.patient-encounter"}
    scores, unmeasured, domain = detection.score(records, got, installed)
    assert (scores["phi"].tp, scores["phi"].fp, scores["phi"].fn) == (1, 1, 0)
    assert scores["phi"].precision == 0.5 and scores["phi"].recall == 1.0
    assert (scores["encounter"].tp, scores["encounter"].tn) == (2, 1)
    assert scores["encounter"].f1 == 1.0
    assert "advice" not in scores
    assert any(line.startswith("advice:") for line in unmeasured)
    assert any(line.startswith("domain:") for line in unmeasured)


def test_unclassified_records_count_as_negatives_and_are_counted():
    scores, _, domain = detection.score(
        [post("a", True, True)], {}, {"content.patient-identifiers"}
    )
    assert scores["phi"].fn == 1 and domain["missing"] == 1


def test_conversations_score_only_the_clinical_label():
    conv = {"id": "m1", "messages": [], "labels": {"clinical": True, "phi": True}}
    scores, unmeasured, _ = detection.score([conv], {}, {"content.patient-identifiers"})
    assert scores == {} and unmeasured == ["clinical: content.clinical-messages is not installed"]


def test_runs_end_to_end_on_a_small_corpus(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    lines = [
        post("p1", True, True, text="Saw a 67-year-old retired teacher in bed 4 of our ICU today"),
        post("p2", False, False, text="Lovely walk by the river this morning"),
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in lines) + "\n")
    assert detection.main([str(corpus), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)[str(corpus)]
    assert figures["records"] == 2 and figures["not_classified"] == 0
    assert figures["labels"]["phi"]["tp"] + figures["labels"]["phi"]["fn"] == 1
    assert figures["labels"]["phi"]["tn"] == 1
