"""`auditor audit --share`: the summary a member gives their employer holds two-factor status,
settings findings and counts, never a post's text, id or link, nor a personal handle; posts
about working conditions only when the member opts in; `auditor share --show` shows it all."""

import json
import stat

from auditor import cli

from conftest import EXAMPLE

WORKPLACE = "Fenwick General management are cutting night staff again. Absolute clowns."
PATIENT = (
    "Yesterday I admitted Ms. Renata Ferris, a 34-year-old kindergarten teacher from "
    "Brookfield, with diabetic ketoacidosis."
)


def setup(tmp_path, extra="", linkedin=""):
    posts = tmp_path / "linkedin-posts.jsonl"
    posts.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"li-{n}",
                    "text": t,
                    "url": f"https://linkedin.com/p/{n}",
                    "platform": "linkedin",
                }
            )
            + "\n"
            for n, t in enumerate((WORKPLACE, PATIENT))
        )
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[owner]
name = "Dr. Maya Okafor"
email = "maya.okafor@lakeview.example"
practice = "Lakeview Internal Medicine"
{extra}
[[accounts]]
platform = "x"
handle = "DrMayaOkafor"
role = "personal"
source = "{EXAMPLE}"

[[accounts]]
platform = "linkedin"
handle = "linkedin-posts"
role = "professional"
source = "{posts}"
{linkedin}
"""
    )
    return config


def audit(tmp_path, capsys, config):
    report, summary = tmp_path / "report.json", tmp_path / "summary.json"
    cli.main(["audit", "--config", str(config), "-q", "-o", str(report), "--share", str(summary)])
    capsys.readouterr()
    return json.loads(report.read_text()), summary


def test_the_summary_holds_counts_and_two_factor_never_posts_or_personal_handles(tmp_path, capsys):
    doc, path = audit(tmp_path, capsys, setup(tmp_path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_text()
    data = json.loads(raw)
    assert data["schema"] == "auditor.share/1"
    assert data["member"]["email"] == "maya.okafor@lakeview.example"
    x, linkedin = data["accounts"]
    assert (x["platform"], x["role"], x["handle"]) == ("x", "personal", None)
    assert linkedin["handle"] == "linkedin-posts"
    assert x["two_factor"] == {"status": "sms", "methods": ["sms"]}

    def of(account, want_post):
        return [
            f
            for f in doc["findings"]
            if f["account"] == account and (f["post"] is not None) == want_post
        ]

    assert [(f["check"], f["severity"]) for f in x["findings"]] == sorted(
        (
            (f["check"], f["severity"])
            for f in of("x:DrMayaOkafor", False)
            if f["check"].startswith(("security.", "settings.", "content.mixed-account"))
        ),
        key=lambda cs: (["critical", "high", "medium", "low", "info"].index(cs[1]), cs[0]),
    )
    assert "settings.public-personal-account" in {f["check"] for f in x["findings"]}
    assert x["risky_posts"]["content.patient-identifiers"] == {
        "critical": 2,
        "high": 2,
        "medium": 0,
        "low": 0,
        "info": 0,
    }
    assert x["risky_posts_total"] == len(of("x:DrMayaOkafor", True))
    # the workplace post is not counted, nor said to be left out
    assert set(linkedin["risky_posts"]) == {"content.patient-identifiers"}
    assert "unprofessional" not in raw and 'working_conditions": false' not in raw
    assert data["working_conditions_included"] is False

    for f in [*doc["findings"], *doc["muted"]]:
        post = f["post"] or {}
        for value in (post.get("id"), post.get("url"), f["title"]):
            if value:
                assert value not in raw
        for e in f["evidence"]:
            if e["text"]:
                assert e["text"] not in raw
    for secret in ("DrMayaOkafor", "Renata", "Fenwick", "li-0", "linkedin.com/p"):
        assert secret not in raw


def test_posts_about_working_conditions_are_counted_only_when_the_member_opts_in(tmp_path, capsys):
    config = setup(tmp_path, extra="[share]\nworking_conditions = true\n")
    _, path = audit(tmp_path, capsys, config)
    data = json.loads(path.read_text())
    linkedin = data["accounts"][1]
    assert data["working_conditions_included"] is True
    assert linkedin["risky_posts"]["content.unprofessional"]["medium"] == 1
    assert "Fenwick" not in path.read_text()


def test_a_handle_can_be_kept_back_and_share_show_says_everything(tmp_path, capsys):
    config = setup(tmp_path, linkedin="share_handle = false\n")
    _, path = audit(tmp_path, capsys, config)
    assert json.loads(path.read_text())["accounts"][1]["handle"] is None
    assert cli.main(["share", "--show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Summary of the audit of" in out and "for Lakeview Internal Medicine" in out
    assert "posts about working conditions: left out" in out
    assert "account-1: x, personal, handle not shared; two-factor sms (sms)" in out
    assert "risky posts, content.patient-identifiers: 2 critical, 2 high" in out
    assert out.endswith(path.read_text())
    (tmp_path / "bad.json").write_text('{"schema": "auditor.report/1"}')
    assert cli.main(["share", "--show", str(tmp_path / "bad.json")]) == 2
    assert "not an auditor.share/1 summary" in capsys.readouterr().err
