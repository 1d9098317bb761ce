"""LinkedIn data export (a zip or folder of CSV files, "Basic" or "Complete").

Posts are `Shares.csv` (one post may span several rows, one per attached media URL; every
line of a multi-line post comes wrapped in doubled quotes), the user's comments on others'
posts are `Comments.csv` (quotes escaped with a backslash in real exports). Security evidence:
`Logins.csv`, `Security Challenges.csv`, `Email Addresses.csv`, and the size of
`Connections.csv`, which starts with a "Notes:" paragraph before its header. Direct
messages (`messages.csv`) stream apart from the posts.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import unquote

from auditor.archive import Archive
from auditor.model import Account, Login, Message, Post, Profile, SecurityState
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.csv_members import csv_rows

# Complete exports may add a member-id suffix: Shares_12345.csv
_NAMES = {
    "shares": re.compile(r"^Shares(_\d+)?\.csv$"),
    "comments": re.compile(r"^Comments(_\d+)?\.csv$"),
    "profile": re.compile(r"^Profile(_\d+)?\.csv$"),
    "logins": re.compile(r"^Logins(_\d+)?\.csv$"),
    "challenges": re.compile(r"^Security Challenges(_\d+)?\.csv$"),
    "emails": re.compile(r"^Email Addresses(_\d+)?\.csv$"),
    "connections": re.compile(r"^Connections(_\d+)?\.csv$"),
    "messages": re.compile(r"^messages(_\d+)?\.csv$", re.IGNORECASE),
}
MISSING_MEANS = {
    "shares": "no posts could be read",
    "logins": "login history cannot be checked",
}
VISIBILITY = {"PUBLIC": "public", "MEMBER_NETWORK": "connections", "CONNECTIONS": "connections"}


class LinkedInSource(Source):
    name = "linkedin"
    title = "LinkedIn data export"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        found = _files(archive)
        if not ({"shares", "profile"} & set(found)) or len(found) < 2:
            return None
        return Detection(
            "linkedin", "linkedin-complete" if "shares" in found else "linkedin-basic", 8
        )

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "linkedin", detection.layout)
        imp.errors.extend(archive.problems)
        files = _files(archive)
        for kind in _NAMES:
            if kind in files:
                imp.files_found.append(files[kind])
            elif kind == "messages":
                imp.files_missing.append("messages.csv")  # no DMs to read: not a fault
            elif kind in MISSING_MEANS:
                imp.files_missing.append(f"{kind.capitalize()}.csv")
                imp.error(
                    archive.display(f"{kind.capitalize()}.csv"), f"missing: {MISSING_MEANS[kind]}"
                )
        profile = next(_rows(archive, files.get("profile"), imp), {})
        name = " ".join(p for p in (profile.get("First Name"), profile.get("Last Name")) if p)
        account = Account("linkedin", None, display_name=name or None, label=name or "profile")
        security = _security(archive, files, imp)
        if profile:
            security = dataclasses.replace(security, profile=_profile(profile, files["profile"]))
        imp.add_account(account, security)
        imp.posts = _posts(archive, files, imp, account)
        imp.messages = _messages(archive, files.get("messages"), imp, account)
        return imp


def _profile(row: dict[str, str], name: str) -> Profile:
    """Profile.csv's public parts: the headline and the About summary (together the bio),
    the location and the websites."""
    bio = "\n".join(p for p in (row.get("Headline"), row.get("Summary")) if p)
    extra = [(k, row[k]) for k in ("Instant Messengers", "Twitter Handles") if row.get(k)]
    return Profile(
        bio=bio or None,
        location=row.get("Geo Location") or None,
        website=row.get("Websites") or None,
        fields=tuple(extra),
        source=posixpath.basename(name),
    )


def _files(archive: Archive) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in archive.names():
        base = posixpath.basename(name)
        for kind, pattern in _NAMES.items():
            if kind not in found and pattern.match(base):
                found[kind] = name
    return found


def _rows(archive: Archive, name: str | None, imp: SourceImport) -> Iterator[dict[str, str]]:
    base = posixpath.basename(name or "")
    # Connections.csv opens with a "Notes:" paragraph; real Comments.csv files escape quotes
    # as \" instead of doubling them
    return csv_rows(
        archive,
        name,
        imp,
        preamble="Notes" if base.startswith("Connections") else None,
        backslash_quotes=base.startswith("Comments"),
    )


def _security(archive: Archive, files: dict[str, str], imp: SourceImport) -> SecurityState:
    logins = [
        Login(_time(r.get("Login Date")), r.get("IP Address") or None, "login")
        for r in _rows(archive, files.get("logins"), imp)
    ]
    logins += [
        Login(
            _time(r.get("Challenge Date")),
            r.get("IP Address") or None,
            r.get("Challenge Type") or "challenge",
            r.get("Country") or None,
        )
        for r in _rows(archive, files.get("challenges"), imp)
    ]
    emails = tuple(
        r["Email Address"]
        for r in _rows(archive, files.get("emails"), imp)
        if r.get("Email Address")
    )
    connections = None
    if "connections" in files:
        connections = sum(1 for _ in _rows(archive, files["connections"], imp))
    return SecurityState(
        two_factor_notes=(
            "A LinkedIn export does not show two-step verification: check it under Settings & "
            "Privacy > Sign in & security > Two-step verification.",
        ),
        emails=emails,
        logins=tuple(logins),
        connections=connections,
    )


def _posts(
    archive: Archive, files: dict[str, str], imp: SourceImport, account: Account
) -> Iterator[Post]:
    current: dict[str, str] | None = None
    media: list[str] = []
    for row in _rows(archive, files.get("shares"), imp):
        link = row.get("ShareLink", "")
        if current is not None and link and link == current.get("ShareLink"):
            if row.get("MediaUrl"):
                media.append(row["MediaUrl"])
            continue  # the same post again, for its next media file
        if current is not None:
            yield _share(current, media, account)
        current, media = row, [row["MediaUrl"]] if row.get("MediaUrl") else []
    if current is not None:
        yield _share(current, media, account)
    for row in _rows(archive, files.get("comments"), imp):
        text = row.get("Message", "")
        if not text:
            continue
        link = row.get("Link", "")
        # the link names the post commented on: the date tells the user's comments on it apart
        yield Post(
            id=f"{_urn(link) or 'comment'}#{row.get('Date', '')}",
            text=text,
            account=account.key,
            created_at=_time(row.get("Date")),
            url=link or None,
            platform="linkedin",
            kind="comment",
        )


def _messages(
    archive: Archive, name: str | None, imp: SourceImport, account: Account
) -> Iterator[Message]:
    for row in _rows(archive, name, imp):
        text = row.get("CONTENT", "")
        if not text:
            continue
        yield Message(
            conversation=row.get("CONVERSATION ID", ""),
            account=account.key,
            # the export names senders, not accounts: the profile's own name is the user
            from_user=bool(account.display_name) and row.get("FROM") == account.display_name,
            text=text,
            sent_at=_time(row.get("DATE")),
            platform="linkedin",
        )


def _share(row: dict[str, str], media: list[str], account: Account) -> Post:
    text = _unwrap(row.get("ShareCommentary", ""))
    link = row.get("ShareLink", "")
    return Post(
        id=_urn(link) or f"share-{row.get('Date', '')}",
        text=text,
        account=account.key,
        created_at=_time(row.get("Date")),
        url=link or None,
        is_repost=not text.strip(),  # a bare reshare carries none of the user's words
        has_media=bool(media),
        platform="linkedin",
        visibility=VISIBILITY.get(row.get("Visibility", "").upper()),
    )


def _unwrap(text: str) -> str:
    """Undo the doubled quotes LinkedIn wraps around each line of a multi-line post."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    out = []
    for i, line in enumerate(lines):
        if line == '""':
            out.append("")
            continue
        if i > 0 and line.startswith('"'):
            line = line[1:]
        if i < len(lines) - 1 and line.endswith('"'):
            line = line[:-1]
        out.append(line)
    return "\n".join(out)


def _urn(link: str) -> str:
    """`urn:li:share:6976...` from a post link that holds it percent-encoded."""
    match = re.search(r"urn:li:[A-Za-z]+:\d+", unquote(link))
    return match.group(0) if match else ""


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip().removesuffix(" UTC")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%a %b %d %H:%M:%S UTC %Y", "%m/%d/%y, %I:%M %p"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None
