"""Is a post about a specific real patient or encounter, and what in it narrows them down?

Shared by `content.patient-identifiers` and `content.patient-encounter`, which split the same
judgment: an encounter with identifying details, or one without. Rules follow the labelling
guideline: encounter cues from the analysis, clawed back by senses and framings that are not
about a real patient (be patient, a case of beer, a teaching point, a case report, a TV drama,
the author's own illness, a public figure in the news).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from auditor.model import Evidence, Post
from auditor.text.analysis import Analysis, Span

PATIENT_WORDS = ("patient", "pt", "client", "resident")
# Framings that mean "not a real, specific encounter" whatever cue words appear.
ALWAYS_SUPPRESS = ("case_report", "fiction", "screen")
# Framings that suppress unless a cue names a patient outright.
WEAK_SUPPRESS = ("own_health", "public_figure")
# Context that makes a person-naming detail clinical.
CLINICAL_CONTEXT = ("clinical", "unit", "facility")
# Details specific enough to one person that a weak cue ("the patient") becomes an encounter.
CONFIRMS_WEAK = (
    "age",
    "name",
    "initials",
    "unit",
    "rare_event",
    "occupation",
    "relationship",
    "place",
    "street",
)
# Person identifiers that, in a clinical context, are themselves about a patient.
PERSON_CUES = ("name", "initials")
# Signs the author is at work, weaker than a clinical word: enough for a particular person.
WORK_CONTEXT = ("medicine", "care", "on_duty", "drug", "health", "colleague_ref", "self_role")
# A particular person at work and something that happened with them (needs clinical context).
ONE_PERSON = "one_person"
HAPPENED = ("event", "time")
# Details that are about one patient wherever they appear: a record number.
DIRECT_CUES = ("record_number",)
CUE_KINDS = frozenset(
    ("encounter", "encounter_weak", ONE_PERSON, "care_for_you", "before_after")
    + PERSON_CUES
    + DIRECT_CUES
)


@dataclass(frozen=True)
class IdentifierKind:
    kind: str
    label: str
    hipaa: str
    weight: int
    direct: bool


@dataclass(frozen=True)
class Judgment:
    encounter: bool
    cues: tuple[Span, ...]
    identifiers: tuple[Evidence, ...]
    weight: int
    direct: bool


NOT_ENCOUNTER = Judgment(False, (), (), 0, False)


@cache
def identifier_kinds() -> dict[str, IdentifierKind]:
    raw = tomllib.loads(
        resources.files("auditor.checks.content").joinpath("identifiers.toml").read_text("utf-8")
    )
    return {
        kind: IdentifierKind(kind, v["label"], v["hipaa"], int(v["weight"]), bool(v.get("direct")))
        for kind, v in raw.items()
    }


_last: list[object] = [None, None]


def judge(post: Post, analysis: Analysis) -> Judgment:
    """The judgment for this post; both patient checks ask, so the last one is remembered."""
    if _last[0] is analysis:
        return _last[1]  # type: ignore[return-value]
    result = _judge(post, analysis)
    _last[0], _last[1] = analysis, result
    return result


def _overlaps(span: Span, others: tuple[Span, ...]) -> bool:
    return any(o.start < span.end and span.start < o.end for o in others)


def _within(span: Span, others: tuple[Span, ...]) -> bool:
    return any(o.start <= span.start and span.end <= o.end for o in others)


def _inside_longer(span: Span, others: tuple[Span, ...]) -> bool:
    """Whether a longer span holds this one: "had my" in "had my old teacher in for a review"."""
    return any(
        o.start <= span.start and span.end <= o.end and o.end - o.start > span.end - span.start
        for o in others
    )


def _answers_another(post: Post) -> bool:
    """A reply to someone else's account, not a thread of the author's own."""
    if not post.reply_to:
        return False
    own = post.account.partition(":")[2].lower().lstrip("@")
    return post.reply_to.lower().lstrip("@") != own


def may_be_encounter(
    kinds: frozenset[str], *, has_media: bool = True, answering: bool = True
) -> bool:
    """Whether any rule of the judgment can find a cue, decided from the kinds alone: most
    posts stop here, before their spans are looked for. Without the post (in the engine's
    worker) a photo and a reply to another account are assumed, which can only say yes more."""
    if kinds.isdisjoint(CUE_KINDS) or not kinds.isdisjoint(ALWAYS_SUPPRESS):
        return False
    maybe_clinical = not kinds.isdisjoint(CLINICAL_CONTEXT)
    at_work = maybe_clinical or not kinds.isdisjoint(WORK_CONTEXT)
    persons = not kinds.isdisjoint(PERSON_CUES)
    return (
        "encounter" in kinds
        or (maybe_clinical and ("encounter_weak" in kinds or persons))
        or (maybe_clinical and ONE_PERSON in kinds and "age" in kinds)
        or (answering and "care_for_you" in kinds)
        or (at_work and not kinds.isdisjoint(HAPPENED) and (persons or ONE_PERSON in kinds))
        or (has_media and "before_after" in kinds)
        or not kinds.isdisjoint(DIRECT_CUES)
    )


def _judge(post: Post, analysis: Analysis) -> Judgment:
    kinds = analysis.kinds
    answering = "care_for_you" in kinds and _answers_another(post)
    if not may_be_encounter(kinds, has_media=post.has_media, answering=answering):
        return NOT_ENCOUNTER
    maybe_clinical = not kinds.isdisjoint(CLINICAL_CONTEXT)
    happened = not kinds.isdisjoint(HAPPENED)
    safe = analysis.of("not_clinical_sense")
    clinical = maybe_clinical and (
        not safe
        or any(s.kind in CLINICAL_CONTEXT and not _overlaps(s, safe) for s in analysis.spans)
    )
    at_work = clinical or not kinds.isdisjoint(WORK_CONTEXT)
    own = analysis.of("own_health")
    cues = tuple(
        c
        for c in analysis.of("encounter")
        # "a patient" inside "being a patient" is the author
        if not _overlaps(c, safe) and not _within(c, own)
    )
    if not cues and clinical:
        weak = tuple(
            c
            for c in analysis.of("encounter_weak")
            if not _overlaps(c, safe) and not _within(c, own)
        )
        # a photo of "the patient" confirms them as much as their age does; a unit inside the
        # cue itself confirms nothing ("in the ED tonight" names no one)
        if weak and (
            post.has_media
            or any(
                s.kind in CONFIRMS_WEAK and (s.kind != "unit" or not _overlaps(s, (cue,)))
                for cue in weak
                for s in analysis.spans
            )
        ):
            cues = weak
        else:
            cues = tuple(s for s in analysis.spans if s.kind in PERSON_CUES)
    if not cues and answering:
        cues = analysis.of("care_for_you")
    if not cues and clinical and "age" in kinds:  # "our little guy (5)" on the burns unit
        cues = analysis.of(ONE_PERSON)
    if not cues and at_work and happened:
        for kind in (ONE_PERSON, *PERSON_CUES):
            cues = cues or tuple(c for c in analysis.of(kind) if not _overlaps(c, safe))
    if not cues and post.has_media and "before_after" in kinds:
        cues = analysis.of("before_after")
    if not cues:
        cues = tuple(s for s in analysis.spans if s.kind in DIRECT_CUES)
    if not cues:
        return NOT_ENCOUNTER
    names_patient = any(w in c.text.lower().split() for c in cues for w in PATIENT_WORDS)
    # "had my" inside "had my old teacher in for a review" is the encounter, not own health
    if not names_patient and any(
        not _inside_longer(s, cues) for k in WEAK_SUPPRESS for s in analysis.of(k)
    ):
        return NOT_ENCOUNTER
    hypothetical = analysis.of("hypothetical")
    if hypothetical and "time" not in kinds:
        return NOT_ENCOUNTER

    table = identifier_kinds()
    found: dict[str, Evidence] = {}
    for span in analysis.spans:
        info = table.get(span.kind)
        if info is None or span.kind in found:
            continue
        if hypothetical and _overlaps(span, hypothetical):
            continue  # "adults over 45" is about a population, not a patient's age
        found[span.kind] = _evidence(span.kind, info.label, span.text, info.hipaa)
    if answering:
        info = table["reply_handle"]
        found["reply_handle"] = _evidence(
            "reply_handle", info.label, f"@{post.reply_to}", info.hipaa
        )
    if post.has_media and (at_work or "before_after" in kinds):
        for kind in _image_kinds(post):
            info = table[kind]
            found[kind] = _evidence(kind, info.label, None, info.hipaa)
    if any(p.codes for p in post.photos):
        # a wristband's or a label's code stands for the patient wherever the post is
        info = table["photo_code"]
        found["photo_code"] = _evidence("photo_code", info.label, None, info.hipaa)
    identifiers = tuple(found.values())
    return Judgment(
        True,
        cues,
        identifiers,
        sum(table[e.kind].weight for e in identifiers),
        any(table[e.kind].direct for e in identifiers),
    )


def _image_kinds(post: Post) -> tuple[str, ...]:
    """What the attachment counts as: the plain image of the guideline, unless the media
    stage saw a face or skin in a photo, which is named instead."""
    seen = tuple(
        kind
        for kind, shown in (
            ("photo_face", any(p.faces for p in post.photos)),
            ("photo_body", any(p.body for p in post.photos)),
        )
        if shown
    )
    return seen or ("image",)


def cue_evidence(judgment: Judgment) -> Evidence:
    return _evidence(
        "encounter", "describes a specific patient or encounter", judgment.cues[0].text, None
    )


_shared: dict[tuple[str, str | None], Evidence] = {}
_SHARED_MAX = 8192


def _evidence(kind: str, label: str, text: str | None, hipaa: str | None) -> Evidence:
    """One Evidence object per (kind, words): "today" or "in the ED" recur in thousands of
    findings of a large archive, which then share it instead of each holding a copy."""
    key = (kind, text)
    ev = _shared.get(key)
    if ev is None:
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()
        ev = _shared[key] = Evidence(kind, label, text, hipaa)
    return ev
