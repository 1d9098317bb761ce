"""content.clinical-messages: patient care discussed over social-media direct messages.

The guideline's `clinical` label: in the conversation the user discusses a specific patient's
care, or the other person's own symptoms, results or treatment with them, beyond pointing
them to a proper channel. Social-media DMs are not a secure channel for health information,
whoever the other person is. So a conversation is clinical when it has clinical substance
(a patient, symptoms, results, a drug or a dose) and the user's own messages engage with it;
a user who only declines and redirects ("I can't advise here, call the practice"), chats
about their own health, or answers a thank-you plainly is not flagged.

The finding names the platform, the dates and the kinds of identifying detail, never a word
of the messages or the other person's name, even with --show-text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.checks import CheckContext, CheckMeta, ConversationCheck, join_words
from auditor.model import Account, Conversation, Evidence, Finding, Scope, Severity
from auditor.text.analysis import Analysis

# A patient in the conversation: a patient cue, or care being given.
PATIENT = frozenset(("encounter", "encounter_weak", "care"))
# Health substance specific to someone; the generic clinical words ("clinic", "ICU") are not,
# since colleagues planning a rota or a talk use them too.
HEALTH = frozenset(("health", "drug", "dose", "advice_diagnosis"))
# What the user says that is advice or treatment by itself.
STRONG = frozenset(("drug", "dose", "advice_diagnosis"))
# What the user says that engages with it rather than redirecting.
ENGAGES = HEALTH | PATIENT | {"clinical", "advice_action", "imperative"}
# Once a patient or the other person's health is there, a message of the user's that says more
# than "thanks, will do" engages with it.
MIN_WORDS = 6
IDENTIFIERS = {
    "age": "an age",
    "time": "when it happened",
    "facility": "a facility",
    "unit": "a ward, unit, room or bed",
    "place": "a place",
    "name": "a name",
    "initials": "initials",
    "occupation": "an occupation",
    "relationship": "a relationship",
    "rare_event": "a rare condition or event",
    "record_number": "a record number",
    "phone": "a phone number",
    "address": "an address",
}


class ClinicalMessages(ConversationCheck):
    meta = CheckMeta(
        id="content.clinical-messages",
        title="Patient care discussed over social-media direct messages",
        scope=Scope.CONVERSATION,
        severity=Severity.MEDIUM,
        rationale=(
            "Direct messages on a social platform are not a secure channel for health "
            "information: the platform holds them, they sit in both people's exports, and a "
            "lost phone or a hacked account discloses them."
        ),
        remediation=(
            "Move clinical conversations to your practice's secure messaging or the phone, "
            "delete these messages on both sides if you can, and point people with health "
            "questions to the practice or their own clinician."
        ),
        references=(
            "HIPAA Security Rule, transmission security: 45 CFR 164.312(e)",
            "AMA Code of Medical Ethics, Opinion 2.3.2: Professionalism in the use of social media",
        ),
    )

    def check_conversation(
        self,
        conversation: Conversation,
        analyses: Sequence[Analysis],
        account: Account,
        ctx: CheckContext,
    ) -> Iterable[Finding]:
        pairs = list(zip(conversation.messages, analyses, strict=True))
        mine = [(m, a) for m, a in pairs if m.from_user]
        if not mine:
            return ()
        kinds = frozenset().union(*(a.kinds for a in analyses))
        own = frozenset().union(*(a.kinds for _, a in mine))
        found = [label for kind, label in IDENTIFIERS.items() if kind in kinds]
        strong = not own.isdisjoint(STRONG)
        patient = not kinds.isdisjoint(PATIENT) or bool(found and not kinds.isdisjoint(HEALTH))
        theirs = [a.kinds for m, a in pairs if not m.from_user]
        their_health = any(
            not k.isdisjoint(HEALTH) and not k.isdisjoint({"person_ref", "own_health"})
            for k in theirs
        )
        asked = any(not k.isdisjoint(HEALTH) for k in theirs)
        someone = "person_ref" in kinds or "name" in kinds
        if not (patient or their_health or (strong and (asked or someone))):
            return ()
        if "fiction" in kinds and not strong:
            return ()
        if not own.isdisjoint({"refusal", "redirect"}) and not strong:
            return ()  # declined and pointed to a proper channel
        engaged = not own.isdisjoint(ENGAGES) or any(
            len(m.text.split()) >= MIN_WORDS for m, _ in mine
        )
        if not engaged:
            return ()
        evidence = [Evidence(kind, label) for kind, label in IDENTIFIERS.items() if kind in kinds]
        dates = sorted(m.sent_at for m in conversation.messages if m.sent_at)
        span = (
            f"from {dates[0].date().isoformat()} to {dates[-1].date().isoformat()}"
            if dates and dates[0].date() != dates[-1].date()
            else f"on {dates[0].date().isoformat()}"
            if dates
            else "undated"
        )
        where = (conversation.platform or "social-media").capitalize()
        detail = (
            f"; it mentions {join_words(found)}, which can identify the patient" if found else ""
        )
        return (
            self.finding(
                account=conversation.account,
                subject=f"conversation:{conversation.id}",
                title=(
                    f"{where} direct messages {span} discuss a patient's care or someone's "
                    f"health{detail}"
                ),
                evidence=evidence,
                severity=Severity.HIGH if found else Severity.MEDIUM,
            ),
        )
