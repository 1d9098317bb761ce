"""content.unprofessional: conduct a patient, an employer or a board would object to.

The guideline lists mockery of or contempt for patients, being intoxicated at or near work or
on call, profanity aimed at patients or colleagues, disparaging the employer by name, and
discriminatory remarks. Each rule pairs what is said with whom it is aimed at: contempt with a
patient, a drink with being on call, an insult with a colleague. Criticising working conditions
(staffing, pay, safety) can be protected concerted activity under the US National Labor
Relations Act: such a post is not flagged by that alone, and where it disparages the employer
the finding says the speech may be protected and is the user's call.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, join_words, post_date
from auditor.model import Account, Evidence, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis

PATIENT = frozenset(("encounter", "encounter_weak", "unit", "age", "patient_ref"))
# Clinical words that are not about a patient (the author's own illness, a TV drama), or
# advice in which "hun," or "mate," is friendly.
NOT_A_PATIENT = frozenset(("own_health", "screen", "fiction", "advice_action"))
REASONS = {
    "contempt": "mocks or shows contempt for a patient",
    "intoxicated": "mentions drinking while on call or at work",
    "profanity": "insults a colleague or a patient",
    "employer": "disparages your employer",
    "discrimination": "makes a discriminatory remark",
}
WORKING_CONDITIONS = "working_conditions"
WORKPLACE_NOTE = (
    " Criticism of working conditions (staffing, pay, safety) may be protected concerted "
    "activity under the US National Labor Relations Act: whether to keep it is your call."
)


class Unprofessional(PostCheck):
    meta = CheckMeta(
        id="content.unprofessional",
        title="Post a patient, employer or licensing board could object to",
        scope=Scope.POST,
        severity=Severity.MEDIUM,
        rationale=(
            "Licensing boards and employers act on public posts that mock patients, show "
            "drinking on call, insult colleagues or the employer, or discriminate; patients "
            "read them too."
        ),
        remediation="Delete the post, or rewrite it without the remark.",
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
            "NCSBN, A Nurse's Guide to the Use of Social Media",
        ),
    )

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        k = analysis.kinds
        found = []
        if "contempt" in k and (
            not k.isdisjoint(PATIENT) or ("clinical" in k and k.isdisjoint(NOT_A_PATIENT))
        ):
            found.append("contempt")
        if "drink" in k and "on_duty" in k and "off_duty" not in k:
            found.append("intoxicated")
        if "profanity" in k and not k.isdisjoint(PATIENT | {"colleague_ref"}):
            found.append("profanity")
        if "employer" in k and "disparage" in k:
            found.append("employer")
        if "discrimination" in k:
            found.append("discrimination")
        if not found:
            return ()
        reasons = [REASONS[f] for f in found]
        title = f"{post_date(post)} {join_words(reasons)}"
        remediation = self.meta.remediation
        evidence = [Evidence(f, REASONS[f]) for f in found]
        if "employer" in found and "working_conditions" in k:
            remediation += WORKPLACE_NOTE
            # the summary for an employer leaves such posts out unless the member opts in
            evidence.append(Evidence(WORKING_CONDITIONS, "is about working conditions"))
        severity = Severity.HIGH if {"intoxicated", "discrimination"} & set(found) else None
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=title,
                evidence=evidence,
                post=post,
                severity=severity,
                remediation=remediation,
            ),
        )
