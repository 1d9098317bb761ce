"""The data every stage shares: accounts, posts, security evidence, findings, the audit result.

Everything here is a frozen dataclass: a source builds them, checks read them, reports render
them, and nothing downstream can change what an earlier stage saw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cached_property

ROLES = ("personal", "professional", "practice")


class Severity(Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 ... info 0."""
        return _RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(
                f"expected one of {'|'.join(s.value for s in cls)}, got {value!r}"
            ) from None


_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Scope(Enum):
    POST = "post"  # sees one annotated post
    ACCOUNT = "account"  # sees one account's snapshot and post statistics
    PROFILE = "profile"  # sees every account of the person
    CONVERSATION = "conversation"  # sees one direct-message conversation


@dataclass(frozen=True)
class Account:
    platform: str
    handle: str | None
    role: str | None = None
    display_name: str | None = None
    label: str | None = None  # used in the key when the source names no handle

    @cached_property
    def key(self) -> str:
        # cached: every post and finding of the account holds this one string, not a copy
        return f"{self.platform}:{self.handle or self.label or 'unknown'}"


@dataclass(frozen=True, slots=True)
class Post:
    """One piece of the user's own writing, as one source found it."""

    id: str
    text: str
    account: str  # Account.key
    created_at: datetime | None = None
    url: str | None = None
    reply_to: str | None = None  # the handle answered, without "@"; may be the user's own
    reply_to_id: str | None = None  # the id of the post answered, where the source says
    is_repost: bool = False  # a retweet or boost: not the user's words, kept out of content checks
    media: tuple[str, ...] = ()  # archive paths (or names) of attached photos and videos
    has_media: bool = False
    role: str | None = None  # per-post account role, when the source knows it (generic files)
    platform: str | None = None
    kind: str = "post"  # post | comment: a comment on someone else's post is audited too
    visibility: str | None = None  # public | unlisted | followers | connections, where known
    content_warning: str | None = None
    place: str | None = None  # a check-in or tagged location: a place the user was
    tagged: tuple[str, ...] = ()  # people tagged in the post
    photos: tuple[PhotoFacts, ...] = ()  # what the media stage saw in the attached photos


# The evidence kinds that come from an attached photo (auditor.media, and the photo kinds of
# checks/content/identifiers.toml): a finding with one rests on a photo.
PHOTO_EVIDENCE = frozenset(("text_in_photo", "photo_gps", "photo_face", "photo_body", "photo_code"))


@dataclass(frozen=True, slots=True)
class PhotoFacts:
    """What the media stage (`auditor.media`) saw in one attached photo. Barcodes are only
    counted: what they encode is never read into the auditor."""

    name: str  # the photo's path in the archive
    text: str = ""  # text visible in the photo, as the OCR engine read it
    codes: int = 0  # barcodes and QR codes
    faces: int = 0
    body: bool = False  # skin over much of the picture: a body part in close-up
    gps: tuple[float, float] | None = None  # latitude, longitude from EXIF or XMP
    taken_at: datetime | None = None
    near: int = 0  # the account's other photos taken within the cluster radius of this one
    protected_place: bool = False  # within the radius of a place among the protected facts


@dataclass(frozen=True, slots=True)
class Message:
    """One direct message: kept apart from posts, never shown in a report.

    Messages feed the checks for clinical conversations held over social-media DMs; a report
    only ever counts them.
    """

    conversation: str  # a stable id of the conversation within its account
    account: str  # Account.key
    from_user: bool  # sent by the account's owner, not received
    text: str
    sent_at: datetime | None = None
    platform: str | None = None
    media: tuple[str, ...] = ()  # archive paths of attached photos and videos


@dataclass(frozen=True)
class Conversation:
    """A run of one conversation's messages, as a source streamed them (long ones in windows)."""

    id: str
    account: str
    platform: str | None
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class TwoFactorMethod:
    kind: str  # sms | totp | key | app | unspecified
    evidence: str  # what showed it, in words
    source: str  # the file or service it came from


@dataclass(frozen=True)
class ConnectedApp:
    name: str
    permissions: tuple[str, ...] = ()
    approved_at: datetime | None = None
    organization: str | None = None


@dataclass(frozen=True)
class Session:
    client: str
    created_at: datetime | None = None
    last_seen_at: datetime | None = None


@dataclass(frozen=True)
class Login:
    at: datetime | None
    ip: str | None = None
    kind: str = "login"  # or the security challenge the platform raised ("PIN_CHALLENGE")
    country: str | None = None


@dataclass(frozen=True)
class AccountChange:
    """A security-relevant change the platform recorded: a new password, e-mail or phone."""

    at: datetime | None
    event: str  # as the export words it: "Password Change", "Email change"
    ip: str | None = None


@dataclass(frozen=True)
class Setting:
    """A privacy or safety setting as an export shows it: `discoverable` true, from actor.json."""

    name: str
    value: bool | str | None
    source: str


@dataclass(frozen=True)
class Profile:
    """The public profile as an export shows it: what anyone who opens the account reads."""

    bio: str | None = None
    location: str | None = None
    website: str | None = None
    # further public fields (Mastodon's profile metadata, LinkedIn's headline), as (name, value)
    fields: tuple[tuple[str, str], ...] = ()
    source: str = ""  # the file it came from, named in findings

    def texts(self) -> tuple[tuple[str, str], ...]:
        """Every public text of the profile as (what, text), for the checks that read it."""
        out = [("bio", self.bio), ("location", self.location), ("website", self.website)]
        out += [(f"field {name!r}", value) for name, value in self.fields]
        return tuple((what, text) for what, text in out if text)


@dataclass(frozen=True)
class SecurityState:
    """What a source could tell about the account's security, and what it could not.

    Only evidence sets a two-factor status: an X archive shows SMS verification but never an
    authenticator app or a security key, so "no SMS device" there is unknown, not disabled, and
    `two_factor_notes` says what the source cannot show.
    """

    two_factor_methods: tuple[TwoFactorMethod, ...] = ()
    two_factor_disabled_evidence: tuple[str, ...] = ()
    two_factor_notes: tuple[str, ...] = ()
    private: bool | None = None
    private_evidence: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    logins: tuple[Login, ...] = ()
    sessions: tuple[Session, ...] = ()
    connected_apps: tuple[ConnectedApp, ...] = ()
    settings: tuple[Setting, ...] = ()
    connections: int | None = None  # followers, friends or connections, where the export says
    account_changes: tuple[AccountChange, ...] = ()
    profile: Profile | None = None  # None: the export holds no profile


@dataclass(frozen=True)
class TwoFactorStatus:
    status: str  # enabled | sms | disabled | unknown
    methods: tuple[str, ...]
    evidence: tuple[str, ...]


def two_factor_status(security: SecurityState) -> TwoFactorStatus:
    """The account's 2FA status from evidence alone; no evidence is `unknown`, never fine."""
    kinds = tuple(dict.fromkeys(m.kind for m in security.two_factor_methods))
    evidence = tuple(m.evidence for m in security.two_factor_methods)
    if any(k != "sms" for k in kinds):
        status = "enabled"
    elif kinds:
        status = "sms"
    elif security.two_factor_disabled_evidence:
        status = "disabled"
        evidence = security.two_factor_disabled_evidence
    else:
        status = "unknown"
    return TwoFactorStatus(status, kinds, evidence + security.two_factor_notes)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a finding fired: a kind ("age"), a plain label, and the span it came from."""

    kind: str
    label: str
    text: str | None = None  # the words that fired; masked in reports unless asked
    hipaa: str | None = None  # the HIPAA Safe Harbor identifier it concerns, if any


@dataclass(frozen=True, slots=True)
class PostRef:
    id: str
    url: str | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    severity: Severity
    account: str
    title: str
    remediation: str
    subject: str  # what the finding is about, stable across runs: a post id, "account", ...
    evidence: tuple[Evidence, ...] = ()
    references: tuple[str, ...] = ()
    post: PostRef | None = None

    @property
    def fingerprint(self) -> str:
        """Same check, account and subject: same fingerprint, whatever the wording or severity."""
        raw = f"{self.check}\x1f{self.account}\x1f{self.subject}".encode()
        return hashlib.sha256(raw).hexdigest()[:20]


@dataclass(frozen=True)
class Mute:
    fingerprint: str
    reason: str
    until: date | None = None

    def active(self, today: date) -> bool:
        return self.until is None or today <= self.until


@dataclass(frozen=True)
class MutedFinding:
    finding: Finding
    mute: Mute


@dataclass(frozen=True)
class SourceError:
    file: str
    message: str


@dataclass(frozen=True)
class SkippedCheck:
    check: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """What one source held, what it lacked, and what could therefore not be checked."""

    path: str
    platform: str | None
    layout: str | None
    files_found: tuple[str, ...] = ()
    files_missing: tuple[str, ...] = ()
    checks_run: tuple[str, ...] = ()
    checks_skipped: tuple[SkippedCheck, ...] = ()
    errors: tuple[SourceError, ...] = ()
    posts_read: int = 0
    reposts_skipped: int = 0
    messages_read: int = 0
    photos: MediaCoverage | None = None  # None: the source attached no photo to a post


@dataclass(frozen=True)
class MediaCoverage:
    """What the media stage did with one source's photos; counts and reasons, never content."""

    found: int = 0  # photos attached to posts and present in the export
    analysed: int = 0  # read by every engine this run (cached results included)
    cached: int = 0  # of those, taken from the media cache
    location_only: int = 0  # read for location only: the media extra is not installed
    skipped: tuple[str, ...] = ()  # one line per photo that could not be read, and why
    videos: int = 0  # attached videos, which are not analysed
    disabled: bool = False  # --no-media
    missing_engines: tuple[str, ...] = ()  # the engines the media extra would add


@dataclass(frozen=True)
class CredentialCoverage:
    """What one credential export (an authenticator app's) gave: counts and platforms only."""

    path: str
    kind: str  # authenticator
    format: str | None
    entries: int = 0
    platforms: tuple[str, ...] = ()  # audited platforms it has an entry for
    skipped: tuple[str, ...] = ()  # why some entries could not be used
    error: str | None = None


@dataclass(frozen=True)
class PostSample:
    """A post kept as an example for an account-level finding: why it was kept, and a cut of
    its words (masked in reports unless the user asks to see them)."""

    reason: str  # a domain (personal, professional, mixed, other) or "practice"
    post: PostRef
    excerpt: str


@dataclass(frozen=True)
class AccountReport:
    account: Account
    security: SecurityState
    posts_scanned: int = 0
    comments_scanned: int = 0
    messages_scanned: int = 0
    # posts and comments per domain (professional, personal, mixed, other)
    domains: dict[str, int] = field(default_factory=dict)
    practice_mentions: int = 0  # posts and comments naming the configured practice
    samples: tuple[PostSample, ...] = ()  # the first few posts of each domain, and of "practice"
    # public posts and comments per day they were posted (visibility public or not known)
    public_by_day: dict[date, int] = field(default_factory=dict)
    posts_with_place: int = 0  # posts tagged with a place or coordinates (Post.place)
    # (check id, why it had nothing to judge here): account checks' `unjudged` answers
    unjudged: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AuditResult:
    generated_at: datetime
    accounts: tuple[AccountReport, ...]
    findings: tuple[Finding, ...]
    muted: tuple[MutedFinding, ...]
    coverage: tuple[Coverage, ...]
    check_errors: tuple[SourceError, ...] = field(default=())
    credentials: tuple[CredentialCoverage, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return (
            bool(self.check_errors)
            or any(c.errors for c in self.coverage)
            or any(c.error for c in self.credentials)
        )
