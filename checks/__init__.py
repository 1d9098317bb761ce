"""The check plugin interface (installed as `auditor.checks`).

A check is a class with a `meta` (its id, scope, default severity, why it matters, what to do,
references) and one method for its scope. Built-in checks and third-party ones are found the
same way, through the `auditor.checks` entry-point group; the metadata is validated when the
check is loaded, so a bad severity or id fails at start-up, not in a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from auditor.credentials.breaches import Breach
from auditor.credentials.totp import TotpEntry
from auditor.credentials.vault import Login
from auditor.model import (
    Account,
    AccountReport,
    Conversation,
    Evidence,
    Finding,
    Post,
    PostRef,
    Scope,
    Severity,
)
from auditor.text.analysis import Analysis

CHECK_ID = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")


@dataclass(frozen=True)
class CheckMeta:
    id: str
    title: str
    scope: Scope
    severity: Severity
    rationale: str
    remediation: str
    references: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not CHECK_ID.match(self.id):
            raise ValueError(f"check id {self.id!r}: expected dotted lower-case words")
        if not isinstance(self.scope, Scope):
            raise ValueError(f"check {self.id}: scope must be a Scope, got {self.scope!r}")
        if not isinstance(self.severity, Severity):
            raise ValueError(f"check {self.id}: severity must be a Severity, got {self.severity!r}")
        for name in ("title", "rationale", "remediation"):
            if not getattr(self, name).strip():
                raise ValueError(f"check {self.id}: {name} is empty")


@dataclass(frozen=True)
class CheckContext:
    """What every check may know besides its subject."""

    today: date
    owner: str | None = None
    practice: str | None = None
    show_text: bool = False
    old_post_years: int = 5
    # the user's protected facts from the OS keyring (`auditor facts`), never from a file
    protected_facts: tuple[str, ...] = field(default=(), repr=False)
    # TOTP entries from the authenticator exports given (`--authenticator`): secrets, in
    # memory only; a check may compare them, never show them
    authenticator: tuple[TotpEntry, ...] = field(default=(), repr=False)
    # logins from the password-manager exports given (`--passwords`), likewise in memory only;
    # with `all_logins` the checks judge every login, not only the audited platforms'
    logins: tuple[Login, ...] = field(default=(), repr=False)
    all_logins: bool = False
    # breach counts of the judged logins' passwords from Pwned Passwords; None: not asked
    # (--offline, no vault, or the service failed)
    pwned: dict[str, int] | None = field(default=None, repr=False)  # keyed by password
    # the judged logins' sites' breaches from HIBP's breach list; None: not asked
    breaches: dict[str, tuple[Breach, ...]] | None = None
    # the breaches holding each e-mail address on file (HIBP, with the user's key); None: not
    # asked (no key in the config, --offline, or the service failed)
    email_breaches: dict[str, tuple[Breach, ...]] | None = field(default=None, repr=False)


class Check:
    meta: ClassVar[CheckMeta]

    def finding(
        self,
        *,
        account: str,
        subject: str,
        title: str,
        evidence: Sequence[Evidence] = (),
        post: Post | None = None,
        severity: Severity | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check, with the metadata's defaults filled in."""
        return Finding(
            check=self.meta.id,
            severity=severity or self.meta.severity,
            account=account,
            title=title,
            remediation=remediation or self.meta.remediation,
            subject=subject,
            evidence=tuple(evidence),
            references=self.meta.references,
            post=PostRef(post.id, post.url, post.created_at) if post else None,
        )


class PostCheck(Check):
    """Sees one post of the user's own words, with its text analysis, and its account."""

    def wants_spans(self, kinds: frozenset[str]) -> bool:
        """Whether this check will likely read the spans of a post with these kinds: the
        engine's worker then finds them ahead, while an earlier batch is checked. A check that
        says no still gets its spans when it reads them, only later and in the engine."""
        return False

    def check_post(
        self, post: Post, analysis: Analysis, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        raise NotImplementedError


class ConversationCheck(Check):
    """Sees one direct-message conversation, each message with its text analysis. Its findings
    must never carry message text or the other person's name: reports show them even with
    --show-text."""

    def check_conversation(
        self,
        conversation: Conversation,
        analyses: Sequence[Analysis],
        account: Account,
        ctx: CheckContext,
    ) -> Iterable[Finding]:
        raise NotImplementedError


class AccountCheck(Check):
    """Sees one account: its security evidence and what the post pass counted."""

    def check_account(self, account: AccountReport, ctx: CheckContext) -> Iterable[Finding]:
        raise NotImplementedError

    def unjudged(self, account: AccountReport, ctx: CheckContext) -> str | None:
        """Why this check had nothing to judge for the account (the evidence it needs is not
        in what was given), or None. Reports list it per account: silence from a check that
        could not look is not a clean result."""
        return None


class ProfileCheck(Check):
    """Sees every account of the person at once."""

    def check_profile(
        self, accounts: Sequence[AccountReport], ctx: CheckContext
    ) -> Iterable[Finding]:
        raise NotImplementedError


def join_words(items: Sequence[str]) -> str:
    """ "a, b and c": the parts of a finding's sentence."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def post_date(post: Post) -> str:
    """ "Post from 2019-03-13", or "Undated post" when the source gave no time."""
    if post.created_at is None:
        return "Undated post"
    return f"Post from {post.created_at.date().isoformat()}"
