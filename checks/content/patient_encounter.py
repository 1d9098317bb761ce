"""content.patient-encounter: a specific encounter described with no identifying detail."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, post_date
from auditor.checks.content.patient_context import cue_evidence, judge, may_be_encounter
from auditor.model import Account, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis


class PatientEncounter(PostCheck):
    meta = CheckMeta(
        id="content.patient-encounter",
        title="Post about a specific patient encounter",
        scope=Scope.POST,
        severity=Severity.LOW,
        rationale=(
            "A post about one real patient names no identifier today, but the patient, their "
            "family or colleagues may still recognise the story, and one added detail in a reply "
            "or a later post can identify them."
        ),
        remediation=(
            "Make sure nothing in the post, its replies or nearby posts narrows the patient "
            "down; consider whether the patient would be comfortable reading it."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
        ),
    )

    def wants_spans(self, kinds: frozenset[str]) -> bool:
        return may_be_encounter(kinds)

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        j = judge(post, analysis)
        if not j.encounter or j.identifiers:
            return ()
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=(
                    f"{post_date(post)} describes a specific patient encounter with no "
                    "identifying detail: check that the patient could not recognise it"
                ),
                evidence=(cue_evidence(j),),
                post=post,
            ),
        )
