"""What the live-connector tests share: `auditor audit` run in process over a config, and the
coverage's errors of its report."""

import json

from auditor import cli


def audit(config, tmp_path, *extra):
    """Exit code and JSON report of `auditor audit --config CONFIG`, quiet, never failing on
    findings."""
    out = tmp_path / "r.json"
    code = cli.main(
        ["audit", "--config", str(config), "-o", str(out), "-q", "--fail-on", "none", *extra]
    )
    return code, json.loads(out.read_text())


def errors(doc):
    return [e for s in doc["coverage"]["sources"] for e in s["errors"]]
