"""No post text, post id, link or personal handle from the members' own audits reaches a
shared summary or any format of the practice review."""

import io
import json

from auditor import cli
from auditor.practice import report, review, roster

from conftest import EXAMPLE

POSTS = [
    "Yesterday I admitted Ms. Renata Ferris, a 34-year-old kindergarten teacher from "
    "Brookfield, with diabetic ketoacidosis.",
    "Fenwick General management are cutting night staff again. Absolute clowns.",
    "Mr. Osei in bed 12 on ward 4B, 81, retired postman, finally went home today.",
]


def member(tmp_path, name, personal_handle, capsys):
    home = tmp_path / name
    home.mkdir()
    posts = home / "posts.jsonl"
    posts.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"{name}-{n}",
                    "text": t,
                    "url": f"https://linkedin.com/p/{name}-{n}",
                    "platform": "linkedin",
                }
            )
            + "\n"
            for n, t in enumerate(POSTS)
        )
    )
    config = home / "config.toml"
    config.write_text(
        f"""
[owner]
name = "{name}"
email = "{name}@cedar.example"
practice = "Cedar Family Practice"

[[accounts]]
platform = "x"
handle = "{personal_handle}"
role = "personal"
source = "{EXAMPLE}"

[[accounts]]
platform = "linkedin"
handle = "posts"
role = "professional"
source = "{posts}"
"""
    )
    report_path, summary = home / "report.json", home / "summary.json"
    cli.main(
        ["audit", "--config", str(config), "-q", "-o", str(report_path), "--share", str(summary)]
    )
    capsys.readouterr()
    return json.loads(report_path.read_text()), summary


def secrets_of(doc):
    """Everything of a member's audit that must stay theirs."""
    found = set(POSTS)
    for f in [*doc["findings"], *doc["muted"]]:
        post = f["post"] or {}
        found |= {v for v in (post.get("id"), post.get("url"), f["title"]) if v}
        found |= {e["text"] for e in f["evidence"] if e["text"]}
        found |= {e["label"] for e in f["evidence"] if f["post"] is None}
    for a in doc["accounts"]:
        if a["role"] == "personal" and a["handle"]:
            found.add(a["handle"])
    return {s for s in found if len(s) > 3}


def test_nothing_of_a_members_posts_reaches_a_summary_or_the_review(tmp_path, capsys):
    secrets = set()
    lines = ['name = "Cedar Family Practice"']
    for name, handle in (("ana", "DrMayaOkafor"), ("ben", "DrMayaOkafor")):
        doc, summary = member(tmp_path, name, handle, capsys)
        secrets |= secrets_of(doc)
        text = summary.read_text()
        assert [s for s in secrets_of(doc) if s in text] == []
        lines += [
            "[[members]]",
            f'name = "{name}"',
            f'email = "{name}@cedar.example"',
            f'summary = "{summary}"',
        ]
    # what is looked for: the posts' ids, links and words, the findings' titles, the handle
    assert {"ana-0", "https://linkedin.com/p/ben-2", "DrMayaOkafor", POSTS[1]} <= secrets
    path = tmp_path / "roster.toml"
    path.write_text("\n".join(lines) + "\n")
    doc = review.review(roster.load(path), org=({}, []))
    assert doc["figures"]["members_with_current_audit"] == 2
    assert doc["figures"]["members_with_open_high"] == 2
    for fmt in report.FORMATS:
        out = io.StringIO()
        report.render(doc, fmt, out)
        leaked = [s for s in secrets if s in out.getvalue()]
        assert leaked == [], f"{fmt} review shows {leaked}"
