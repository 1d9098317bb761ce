"""Time `auditor practice review` over a roster of N members (default 500), each with a shared
summary of three accounts: the whole command, as a separate process, R times.

    python benchmarks/practice_review.py [N] [--runs R] [--format text|json]

Target: under 2 s for 500 members. Prints one line per run and the median."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def summary(n: int) -> dict:
    methods = (["totp"], ["sms"], ["key"], [])[n % 4]
    status = ("enabled", "sms", "enabled", "disabled")[n % 4]
    return {
        "schema": "auditor.share/1",
        "generated_at": f"{date.today().isoformat()}T08:00:00Z",
        "audit_date": date.today().isoformat(),
        "tool": {"name": "footprint-auditor", "version": "0.1.0"},
        "member": {"name": f"Member {n}", "email": f"m{n}@cedar.example", "practice": "Cedar"},
        "working_conditions_included": False,
        "accounts": [
            {
                "ref": f"account-{a + 1}",
                "platform": ("x", "facebook", "linkedin")[a],
                "role": ("professional", "personal", "professional")[a],
                "handle": None,
                "two_factor": {"status": status, "methods": methods},
                "private": None,
                "findings": [{"check": "security.two-factor", "severity": "medium", "title": "t"}],
                "risky_posts": {
                    "content.patient-identifiers": {
                        "critical": n % 2,
                        "high": 0,
                        "medium": 1,
                        "low": 2,
                        "info": 0,
                    }
                },
                "risky_posts_total": 3 + n % 2,
            }
            for a in range(3)
        ],
        "coverage": {"sources_read": 3, "errors": 0},
    }


def build(folder: Path, members: int) -> Path:
    (folder / "summaries").mkdir()
    lines = ['name = "Cedar"', "[policy]", 'required_two_factor = "app"']
    for n in range(members):
        (folder / "summaries" / f"m{n}.json").write_text(json.dumps(summary(n)))
        lines += [
            "[[members]]",
            f'name = "Member {n}"',
            f'email = "m{n}@cedar.example"',
            f'summary = "summaries/m{n}.json"',
        ]
    roster = folder / "roster.toml"
    roster.write_text("\n".join(lines) + "\n")
    return roster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("members", type=int, nargs="?", default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", default="json", choices=("text", "json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roster = build(Path(tmp), args.members)
        times = []
        for run in range(args.runs):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "auditor",
                    "practice",
                    "review",
                    str(roster),
                    "-f",
                    args.format,
                    "-o",
                    str(Path(tmp) / "review.out"),
                    "-q",
                ],
                check=True,
            )
            times.append(time.perf_counter() - start)
            print(f"run {run + 1}: {times[-1]:.2f} s for {args.members} members")
    print(f"median: {statistics.median(times):.2f} s (target: < 2 s for 500 members)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
