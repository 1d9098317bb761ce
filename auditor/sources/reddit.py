"""Reddit data export (the GDPR request: a zip or folder of CSV files).

`posts.csv` holds the user's submissions (title and body), `comments.csv` their comments,
audited as comments. Deleted or removed content (`[deleted]`, `[removed]`) has no words left
and is skipped. Security evidence: `ip_logs.csv` (logins), `linked_identities.csv` (sign-in
with Google or Apple), `linked_phone_number.csv`, `statistics.csv` (e-mail, account name) and
`user_preferences.csv`. Private messages (`messages.csv`, `messages_archive.csv`) and chat
(`chat_history.csv`) stream apart as direct messages; votes and saved items are never read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from datetime import UTC, datetime

from auditor.archive import Archive
from auditor.model import Account, Login, Message, Post, SecurityState, Setting
from auditor.sources.base import Detection, Source, SourceImport
from auditor.sources.csv_members import csv_rows

KNOWN = (
    "posts.csv",
    "comments.csv",
    "ip_logs.csv",
    "linked_identities.csv",
    "linked_phone_number.csv",
    "statistics.csv",
    "user_preferences.csv",
    "post_votes.csv",
    "comment_votes.csv",
    "subscribed_subreddits.csv",
    "messages.csv",
    "messages_archive.csv",
    "chat_history.csv",
)
MESSAGE_FILES = ("messages.csv", "messages_archive.csv", "chat_history.csv")
GONE = {"[deleted]", "[removed]"}


class RedditSource(Source):
    name = "reddit"
    title = "Reddit data export"

    @classmethod
    def detect(cls, archive: Archive) -> Detection | None:
        if archive.kind == "file":
            return None
        found = _files(archive)
        if not ({"posts.csv", "comments.csv"} & set(found)) or len(found) < 3:
            return None
        return Detection("reddit", "reddit-csv", 8)

    def read(self, archive: Archive, detection: Detection) -> SourceImport:
        imp = SourceImport(str(archive.path), "reddit", detection.layout)
        imp.errors.extend(archive.problems)
        files = _files(archive)
        imp.files_found.extend(files.values())
        for wanted in ("posts.csv", "comments.csv", "ip_logs.csv"):
            if wanted not in files:
                imp.files_missing.append(wanted)
        stats = {
            r.get("statistic", ""): r.get("value", "")
            for r in csv_rows(archive, files.get("statistics.csv"), imp)
        }
        handle = stats.get("account name") or stats.get("username") or None
        account = Account("reddit", handle, label=None if handle else "account")
        imp.add_account(account, _security(archive, files, imp, stats))
        imp.posts = _posts(archive, files, imp, account)
        imp.messages = _messages(archive, files, imp, account)
        return imp


def _files(archive: Archive) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in archive.names():
        base = posixpath.basename(name)
        if base in KNOWN and base not in found:
            found[base] = name
    return found


def _security(
    archive: Archive, files: dict[str, str], imp: SourceImport, stats: dict[str, str]
) -> SecurityState:
    logins = tuple(
        Login(_time(r.get("date")), r.get("ip") or None)
        for r in csv_rows(archive, files.get("ip_logs.csv"), imp)
    )
    settings = [
        Setting(r["preference"], r.get("value", ""), "user_preferences.csv")
        for r in csv_rows(archive, files.get("user_preferences.csv"), imp)
        if r.get("preference")
    ]
    settings += [
        Setting("linked_identity", r.get("issuer_id", ""), "linked_identities.csv")
        for r in csv_rows(archive, files.get("linked_identities.csv"), imp)
    ]
    phones = tuple(
        r["phone_number"]
        for r in csv_rows(archive, files.get("linked_phone_number.csv"), imp)
        if r.get("phone_number")
    )
    email = stats.get("email") or stats.get("email address")
    return SecurityState(
        two_factor_notes=(
            "A Reddit export does not show two-factor authentication: check it under User "
            "settings > Account > Two-factor authentication.",
        ),
        emails=(email,) if email else (),
        phones=phones,
        logins=logins,
        settings=tuple(settings),
    )


def _posts(
    archive: Archive, files: dict[str, str], imp: SourceImport, account: Account
) -> Iterator[Post]:
    for row in csv_rows(archive, files.get("posts.csv"), imp):
        title, body = row.get("title", ""), row.get("body", "")
        if body in GONE:
            body = ""
        text = f"{title}\n{body}".strip() if body else title
        if not text or text in GONE:
            continue
        yield Post(
            id=row.get("id", ""),
            text=text,
            account=account.key,
            created_at=_time(row.get("date")),
            url=_url(row.get("permalink")),
            has_media=bool(row.get("url")) and "reddit.com" not in row.get("url", ""),
            platform="reddit",
        )
    for row in csv_rows(archive, files.get("comments.csv"), imp):
        body = row.get("body", "")
        if not body or body in GONE:
            continue
        yield Post(
            id=row.get("id", ""),
            text=body,
            account=account.key,
            created_at=_time(row.get("date")),
            url=_url(row.get("permalink")),
            platform="reddit",
            kind="comment",
        )


def _messages(
    archive: Archive, files: dict[str, str], imp: SourceImport, account: Account
) -> Iterator[Message]:
    me = (account.handle or "").lower()
    for base in MESSAGE_FILES:
        chat = base == "chat_history.csv"
        for row in csv_rows(archive, files.get(base), imp):
            text = row.get("message" if chat else "body", "")
            if not text or text in GONE:
                continue
            sender = row.get("username" if chat else "from", "").lower().removeprefix("u/")
            yield Message(
                conversation=(
                    row.get("channel_url") or row.get("thread_parent_message_id", "")
                    if chat
                    else row.get("thread_id") or row.get("id", "")
                ),
                account=account.key,
                from_user=bool(me) and sender == me,
                text=text if chat else f"{row.get('subject', '')}\n{text}".lstrip("\n"),
                sent_at=_time(row.get("created_at" if chat else "date")),
                platform="reddit",
            )


def _url(permalink: str | None) -> str | None:
    if not permalink:
        return None
    return permalink if permalink.startswith("http") else f"https://www.reddit.com{permalink}"


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value.strip().removesuffix(" UTC"), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None
