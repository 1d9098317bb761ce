"""Third-party checks are found exactly like the built-ins: the `auditor.checks` entry points."""

import json
import textwrap

import pytest

from auditor.plugins import discover

from conftest import EXAMPLE, run_cli

PLUGIN = """
from auditor.checks import CheckMeta, PostCheck
from auditor.model import Scope, Severity


class ShoutingCheck(PostCheck):
    meta = CheckMeta(
        id="acme.shouting",
        title="Post written in capitals",
        scope=Scope.POST,
        severity=Severity.INFO,
        rationale="Capitals read as shouting.",
        remediation="Rewrite it in sentence case.",
    )

    def check_post(self, post, analysis, account, ctx):
        letters = [c for c in post.text if c.isalpha()]
        if len(letters) > 10 and all(c.isupper() for c in letters):
            yield self.finding(
                account=post.account, subject=post.id, title="Shouting", post=post
            )


class BrokenMeta(PostCheck):
    meta = "not metadata"
"""


@pytest.fixture
def plugin_dir(tmp_path):
    """An installed distribution: a module plus a dist-info with entry_points.txt."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "acme_checks.py").write_text(PLUGIN)
    info = site / "acme_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [auditor.checks]
            acme.shouting = acme_checks:ShoutingCheck
            acme.broken = acme_checks:BrokenMeta
            acme.missing = acme_checks:DoesNotExist
            """
        )
    )
    return site


def test_builtins_come_through_entry_points():
    plugins = discover()
    assert {
        "content.patient-identifiers",
        "content.patient-encounter",
        "security.two-factor",
    } <= set(plugins.checks)
    assert {"x", "posts"} <= set(plugins.sources)
    assert {"json", "text", "markdown", "csv"} <= set(plugins.reports)


def test_third_party_check_is_listed_and_runs(plugin_dir, tmp_path):
    env = {"PYTHONPATH": str(plugin_dir)}
    listed = run_cli("checks", cwd=tmp_path, env_extra=env)
    assert listed.returncode == 0
    assert "acme.shouting" in listed.stdout and "Post written in capitals" in listed.stdout
    # a broken plugin is named, not fatal
    assert "acme.broken" in listed.stderr and "acme.missing" in listed.stderr
    assert "Traceback" not in listed.stderr

    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        json.dumps({"id": "p1", "text": "THIS CLINIC IS OPEN ON SATURDAY MORNINGS"})
        + "\n"
        + json.dumps({"id": "p2", "text": "A quiet post."})
        + "\n"
    )
    proc = run_cli("scan", posts, "-f", "json", "-q", cwd=tmp_path, env_extra=env)
    doc = json.loads(proc.stdout)
    shouts = [f for f in doc["findings"] if f["check"] == "acme.shouting"]
    assert [f["post"]["id"] for f in shouts] == ["p1"]
    assert "acme.shouting" in doc["coverage"]["sources"][0]["checks_run"]
    assert proc.returncode == 3  # the broken plugins are reported as check errors
    assert {e["check"] for e in doc["coverage"]["check_errors"]} == {"plugins"}


def test_no_plugins_no_check_errors(tmp_path):
    proc = run_cli("scan", EXAMPLE, "-f", "json", "-q", cwd=tmp_path)
    assert json.loads(proc.stdout)["coverage"]["check_errors"] == []
