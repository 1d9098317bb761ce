"""Detection quality of ``auditor classify`` on a labelled corpus: precision, recall, F1.

Usage::

    python benchmarks/detection.py CORPUS.jsonl [CORPUS.jsonl ...] [-v] [--json]
                                   [--auditor CMD]

A corpus is JSON Lines in the formats of ``../shared/corpus/`` (see its ``LABELS.md``): posts
(records with ``text`` and ``labels``: ``phi``, ``encounter``, ``advice``, ``self_exposure``,
``unprofessional``, ``controversial``, ``domain``) or conversations (records with ``messages``
and ``labels.clinical``). The script runs ``auditor classify`` on each file as a separate
process, as a user would, reads the check ids it reports per post or conversation, and scores
each label against the check that stands for it (``encounter`` is either patient check). A
label whose check is not installed, or ``domain`` while classify reports none, is listed as not
measured rather than scored as zero. ``-v`` lists the false positives and negatives with the
corpus's ``why``; ``--json`` prints the figures as one object.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# label -> the checks whose finding means "this label is true"
LABEL_CHECKS: dict[str, tuple[str, ...]] = {
    "phi": ("content.patient-identifiers",),
    "encounter": ("content.patient-identifiers", "content.patient-encounter"),
    "advice": ("content.medical-advice",),
    "self_exposure": ("content.self-exposure",),
    "unprofessional": ("content.unprofessional",),
    "controversial": ("content.controversial",),
    "clinical": ("content.clinical-messages",),
}
# A conversation is judged as a whole by the clinical-messages check: its phi and advice labels
# describe what makes it clinical, and no check gives a verdict on them for a conversation.
CONVERSATION_LABELS = ("clinical",)


@dataclass
class Score:
    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    def add(self, truth: bool, predicted: bool, record_id: str) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.false_positives.append(record_id)
        elif truth:
            self.fn += 1
            self.false_negatives.append(record_id)
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def default_auditor() -> list[str]:
    here = Path(sys.executable).parent / "auditor"
    return [str(here)] if here.exists() else ["auditor"]


def installed_checks(auditor: list[str]) -> set[str]:
    out = subprocess.run([*auditor, "checks"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines()[2:] if line.strip()}


def load_corpus(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record.get("labels"), dict) or "id" not in record:
                sys.exit(f"{path}:{n}: not a labelled record (needs id and labels)")
            records.append(record)
    return records


def classify(auditor: list[str], path: Path) -> tuple[dict[str, list[str]], float, str]:
    """Check ids per record id, the wall time, and what classify said on stderr."""
    start = time.perf_counter()
    proc = subprocess.run(
        [*auditor, "classify", str(path), "--quiet"], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"auditor classify {path} failed (exit {proc.returncode}): {proc.stderr}")
    got: dict[str, list[str]] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        got[str(row["id"])] = list(row.get("checks") or [])
        if row.get("domain") is not None:
            got[f"{row['id']}\x1fdomain"] = [row["domain"]]
    return got, seconds, proc.stderr.strip()


def score(
    records: list[dict[str, Any]], got: dict[str, list[str]], installed: set[str]
) -> tuple[dict[str, Score], list[str], dict[str, Any]]:
    conversations = any("messages" in r for r in records)
    wanted = CONVERSATION_LABELS if conversations else tuple(LABEL_CHECKS)
    labels = sorted({k for r in records for k in r["labels"] if k in wanted})
    scores = {lab: Score(lab) for lab in labels if set(LABEL_CHECKS[lab]) & installed}
    unmeasured = [
        f"{lab}: {' or '.join(LABEL_CHECKS[lab])} is not installed"
        for lab in labels
        if lab not in scores
    ]
    domain = {"right": 0, "total": 0, "wrong": []}
    missing = 0
    for r in records:
        rid = str(r["id"])
        if rid not in got:
            missing += 1
        fired = set(got.get(rid, ()))
        for lab, s in scores.items():
            truth = r["labels"].get(lab)
            if isinstance(truth, bool):
                s.add(truth, bool(fired & set(LABEL_CHECKS[lab])), rid)
        want = r["labels"].get("domain")
        said = got.get(f"{rid}\x1fdomain")
        if want is not None and said is not None:
            domain["total"] += 1
            if said[0] == want:
                domain["right"] += 1
            else:
                domain["wrong"].append(f"{rid} ({said[0]}, labelled {want})")
    if any("domain" in r["labels"] for r in records) and not domain["total"]:
        unmeasured.append("domain: auditor classify reports no domain")
    domain["missing"] = missing
    return scores, unmeasured, domain


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Precision, recall and F1 of auditor classify on labelled corpora."
    )
    parser.add_argument("corpus", nargs="+", type=Path, metavar="CORPUS.jsonl")
    parser.add_argument("-v", "--verbose", action="store_true", help="list FPs and FNs")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--auditor", metavar="CMD", help="auditor command line (default: next to python)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    auditor = shlex.split(args.auditor) if args.auditor else default_auditor()
    installed = installed_checks(auditor)
    report: dict[str, Any] = {}
    for path in args.corpus:
        records = load_corpus(path)
        why = {str(r["id"]): r.get("why", "") for r in records}
        got, seconds, stderr = classify(auditor, path)
        scores, unmeasured, domain = score(records, got, installed)
        entry = {
            "records": len(records),
            "seconds": round(seconds, 2),
            "labels": {
                lab: {
                    "precision": round(s.precision, 3),
                    "recall": round(s.recall, 3),
                    "f1": round(s.f1, 3),
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                    "tn": s.tn,
                }
                for lab, s in scores.items()
            },
            "domain_accuracy": (
                round(domain["right"] / domain["total"], 3) if domain["total"] else None
            ),
            "not_measured": unmeasured,
            "not_classified": domain["missing"],
        }
        report[str(path)] = entry
        if args.json:
            continue
        print(f"{path}: {len(records)} records, classified in {seconds:.2f} s")
        if domain["missing"]:
            print(f"  {domain['missing']} records got no line from classify: {stderr[:200]}")
        print(f"  {'label':<15} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
        for lab, s in scores.items():
            print(
                f"  {lab:<15} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} "
                f"{s.tp:5} {s.fp:5} {s.fn:5}"
            )
        if entry["domain_accuracy"] is not None:
            print(f"  domain accuracy {entry['domain_accuracy']:.3f} of {domain['total']}")
        for line in unmeasured:
            print(f"  not measured: {line}")
        if args.verbose:
            for lab, s in scores.items():
                for kind, ids in (("FP", s.false_positives), ("FN", s.false_negatives)):
                    for rid in ids:
                        print(f"  {lab} {kind} {rid}: {why.get(rid, '')}")
            for wrong in domain["wrong"]:
                print(f"  domain wrong {wrong}")
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
