"""content.patient-identifiers: a post about a specific patient with details that identify."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, join_words, post_date
from auditor.checks.content.patient_context import cue_evidence, judge, may_be_encounter
from auditor.model import Account, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis


class PatientIdentifiers(PostCheck):
    meta = CheckMeta(
        id="content.patient-identifiers",
        title="Post about a patient with identifying details",
        scope=Scope.POST,
        severity=Severity.HIGH,
        rationale=(
            "Even without a name, an age, a date, a place or a photo can identify a patient. "
            "Posting them is a disclosure of protected health information."
        ),
        remediation=(
            "Delete the post, or edit out every identifying detail. If it may already have been "
            "seen, tell your privacy officer: a disclosure may need to be reported."
        ),
        references=(
            "HIPAA Privacy Rule, de-identification Safe Harbor: 45 CFR 164.514(b)(2)",
            "https://www.hhs.gov/hipaa/for-professionals/privacy/special-topics/de-identification/index.html",
        ),
    )

    def __init__(self) -> None:
        self._remediations: dict[tuple[str, ...], str] = {}

    def wants_spans(self, kinds: frozenset[str]) -> bool:
        return may_be_encounter(kinds)

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        j = judge(post, analysis)
        if not j.encounter or not j.identifiers:
            return ()
        if j.direct or j.weight >= 6:
            severity = Severity.CRITICAL
        elif j.weight >= 2:
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        labels = [e.label for e in j.identifiers]
        hipaa = sorted({e.hipaa for e in j.identifiers if e.hipaa})
        together = (
            "together these can identify them" if len(labels) > 1 else "this can identify them"
        )
        title = (
            f"{post_date(post)} describes a specific patient and mentions {join_words(labels)}: "
            f"{together} (HIPAA Safe Harbor identifiers: {', '.join(hipaa)})"
        )
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=title,
                evidence=(cue_evidence(j), *j.identifiers),
                post=post,
                severity=severity,
                remediation=self._remediation(tuple(labels)),
            ),
        )

    def _remediation(self, labels: tuple[str, ...]) -> str:
        """One string per set of identifiers, shared by every finding that has it: an archive
        can hold thousands of these findings."""
        text = self._remediations.get(labels)
        if text is None:
            text = self._remediations[labels] = (
                "Delete the post (its link is in the report), or edit out "
                f"{join_words(list(labels))}. "
                "If it may already have been seen, tell your privacy officer: a disclosure may "
                "need to be reported."
            )
        return text
