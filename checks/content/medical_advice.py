"""content.medical-advice: a diagnosis, drug or dose advice tailored to one person.

The guideline's line: advice is tailored to a specific person ("@sam double your metformin",
"sounds like shingles, ask for valacyclovir"); education for the public is not. So a post is
advice when three things meet: it is addressed to someone (a reply, "your knee", "for your
mum", "pharmacist here."), it directs or diagnoses (a directive to take, stop or get something
checked, "that sounds like", "textbook BPPV"), and it has medical substance (a drug, a dose, a
test or a diagnosis). A general-audience framing ("PSA", "folks", "adults over 45 should") or a
refusal ("I can't give medical advice") keeps a post out; a general framing does not when the
post is plainly a reply to one person's case.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.checks import CheckContext, CheckMeta, PostCheck, join_words, post_date
from auditor.model import Account, Evidence, Finding, Post, Scope, Severity
from auditor.text.analysis import Analysis

SUBSTANCE = frozenset(("drug", "dose", "health"))
LABELS = {
    "advice_action": "tells them what to do",
    "advice_diagnosis": "names what they have",
    "drug": "names a medicine",
    "dose": "gives a dose or schedule",
    "health": "is about their health",
    "addressed": "is addressed to one person",
}


class MedicalAdvice(PostCheck):
    meta = CheckMeta(
        id="content.medical-advice",
        title="Individual medical advice given in public",
        scope=Scope.POST,
        severity=Severity.MEDIUM,
        rationale=(
            "A diagnosis or a drug and dose for one person, given without an examination or a "
            "record, can harm them, may create a doctor-patient relationship with its duties, "
            "and is public: the person's condition is now on the record too."
        ),
        remediation=(
            "Delete the post or edit out the diagnosis and the treatment, and point the person "
            "to their own clinician (or 111/911 if it is urgent). If they are your patient, "
            "move the conversation to your practice's secure channel."
        ),
        references=(
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
            "FSMB, Social Media and Electronic Communications (2019)",
        ),
    )

    def wants_spans(self, kinds: frozenset[str]) -> bool:
        # a directive near a drug or symptom is found by where its words are
        return "imperative" in kinds and not kinds.isdisjoint(SUBSTANCE)

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        kinds = analysis.kinds
        if kinds.isdisjoint(SUBSTANCE):  # most posts: decided without further work
            return ()
        # a reply to oneself is a thread, which speaks to everyone
        own = (account.handle or "").lower()
        reply = bool(post.reply_to and post.reply_to.lower() != own) or (
            not post.reply_to and post.text.lstrip().startswith("@")
        )
        addressed = reply or "addressed" in kinds
        directs = "advice_action" in kinds or "advice_diagnosis" in kinds or _directive(analysis)
        if not (addressed and directs):
            return ()
        if "refusal" in kinds:
            return ()
        if "general_audience" in kinds and not ("addressed" in kinds and reply):
            return ()
        evidence = [
            Evidence(kind, LABELS[kind], span.text)
            for kind in ("addressed", "advice_action", "advice_diagnosis", "drug", "dose", "health")
            for span in analysis.of(kind)[:1]
        ]
        if reply and post.reply_to:
            evidence.insert(0, Evidence("reply", "replies to one person", None))
        severity = Severity.HIGH if "dose" in kinds and "drug" in kinds else Severity.MEDIUM
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=(
                    f"{post_date(post)} gives one person medical advice in public: it "
                    f"{join_words(list(dict.fromkeys(e.label for e in evidence)))}"
                ),
                evidence=evidence,
                post=post,
                severity=severity,
            ),
        )


# A bare verb ("take", "stretch") directs when a drug, dose or health word follows within this
# many bytes: "get ulipristal from the pharmacy", "stretch the calf".
NEAR = 40


def _directive(analysis: Analysis) -> bool:
    if "imperative" not in analysis.kinds:
        return False
    targets = [s.start for s in analysis.spans if s.kind in SUBSTANCE]
    return any(0 <= t - verb.end <= NEAR for verb in analysis.of("imperative") for t in targets)
