"""Mastodon, any instance: the account (verify_credentials with a token, the public lookup
without one), its preferences, and every status through the Link-header paging; the same
settings, profile and posts (ids, texts, visibility) the archive importer reads."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from auditor.live.base import Connector, Snapshot
from auditor.live.http import ApiError
from auditor.model import Account, Post, Profile, SecurityState, Setting
from auditor.sources.html_text import html_to_text
from auditor.sources.values import as_dict, as_list, as_str, iso_time

PAGE = 40  # the API's largest page
VISIBILITY = {"public": "public", "unlisted": "unlisted", "private": "followers"}
TWO_FACTOR_NOTE = (
    "The Mastodon API does not show two-factor authentication: check it under Preferences > "
    "Account > Two-factor auth."
)


class MastodonConnector(Connector):
    platform = "mastodon"

    def snapshot(self) -> Snapshot:
        me, where = self._me()
        prefs: dict[str, Any] = {}
        if self.client.token:
            # a token without read:accounts still reads the account and the posts
            with contextlib.suppress(ApiError):
                prefs = as_dict(self.client.get_json("/api/v1/preferences"))
        self.me = me
        account = Account(
            "mastodon",
            self._handle(me),
            role=self.cfg.role,
            display_name=as_str(me.get("display_name")) or None,
        )
        count = me.get("statuses_count")
        return Snapshot(
            account,
            _security(me, prefs, where),
            count if isinstance(count, int) else None,
        )

    def whoami(self) -> str:
        # one call: verify_credentials names the token's owner (the lookup, without a token,
        # only the configured handle)
        return self._handle(self._me()[0])

    def _me(self) -> tuple[dict[str, Any], str]:
        """The account, and which call gave it: verify_credentials with a token, the public
        lookup of the configured handle without one."""
        if self.client.token:
            where = "verify_credentials"
            me = as_dict(self.client.get_json("/api/v1/accounts/verify_credentials"))
        else:
            where = "accounts/lookup"
            user = self.cfg.handle.lstrip("@").partition("@")[0]
            me = as_dict(self.client.get_json("/api/v1/accounts/lookup", {"acct": user}))
        if not as_str(me.get("id")):
            raise ApiError(self.client.account, f"{where}: no account in the answer")
        return me, where

    def _handle(self, me: dict[str, Any]) -> str:
        """user@instance, the instance from the account's own URL (as the archive's actor)."""
        host = urlsplit(as_str(me.get("url"))).hostname or urlsplit(self.client.base_url).hostname
        return f"{as_str(me.get('username'))}@{host}"

    def pages(self) -> Iterator[list[Post]]:
        me = self.me
        own_id = as_str(me.get("id"))
        handle = self._handle(me)
        key = f"mastodon:{handle}"
        url: str | None = f"/api/v1/accounts/{own_id}/statuses"
        params: dict[str, Any] | None = {"limit": PAGE}
        visited: set[str | None] = set()
        while url:
            resp = self.client.get(url, params)
            try:
                statuses = resp.json()
            except ValueError:
                raise ApiError(self.client.account, "statuses: the answer is not JSON") from None
            if not isinstance(statuses, list) or not statuses:
                return
            posts = [p for s in statuses if (p := _post(as_dict(s), own_id, handle, key))]
            yield posts
            url = resp.links.get("next", {}).get("url")
            params = None  # the next link carries its own query
            if url in visited:
                return  # a server pointing back at a page it gave: stop, do not loop
            visited.add(url)


def _security(me: dict[str, Any], prefs: dict[str, Any], where: str) -> SecurityState:
    # the archive's actor.json names: the baseline reads both sources alike
    settings = []
    if isinstance(me.get("locked"), bool):
        settings.append(Setting("manuallyApprovesFollowers", me["locked"], where))
    for key in ("discoverable", "indexable"):
        value = me.get(key, as_dict(me.get("source")).get(key))
        if isinstance(value, bool):
            settings.append(Setting(key, value, where))
    if isinstance(me.get("bot"), bool):
        settings.append(Setting("bot", me["bot"], where))
    privacy = as_str(as_dict(me.get("source")).get("privacy")) or as_str(
        prefs.get("posting:default:visibility")
    )
    if privacy:
        settings.append(Setting("default_visibility", privacy, where))
    source = as_dict(me.get("source"))
    fields = as_list(source.get("fields")) or as_list(me.get("fields"))
    profile = Profile(
        bio=as_str(source.get("note")) or html_to_text(as_str(me.get("note"))) or None,
        fields=tuple(
            (as_str(f.get("name")), html_to_text(as_str(f.get("value"))))
            for f in map(as_dict, fields)
            if as_str(f.get("name"))
        ),
        source=where,
    )
    return SecurityState(
        two_factor_notes=(TWO_FACTOR_NOTE,),
        settings=tuple(settings),
        profile=profile,
    )


def _post(status: dict[str, Any], own_id: str, handle: str, key: str) -> Post | None:
    visibility = as_str(status.get("visibility"))
    if visibility == "direct":
        return None  # a direct message, as in the archive: never a post
    sid = as_str(status.get("id"))
    if not sid:
        return None
    if status.get("reblog"):
        return Post(id=sid, text="", account=key, is_repost=True, platform="mastodon")
    content = html_to_text(as_str(status.get("content")))
    warning = as_str(status.get("spoiler_text")) or None
    reply_to = None
    if status.get("in_reply_to_id"):
        if as_str(status.get("in_reply_to_account_id")) == own_id:
            reply_to = handle
        else:
            other = as_str(status.get("in_reply_to_account_id"))
            mentions = [as_dict(m) for m in as_list(status.get("mentions"))]
            reply_to = next(
                (as_str(m.get("acct")) for m in mentions if as_str(m.get("id")) == other), None
            ) or (as_str(mentions[0].get("acct")) if mentions else None)
    return Post(
        id=sid,
        text=f"{warning}\n{content}" if warning else content,
        account=key,
        created_at=iso_time(status.get("created_at")),
        url=as_str(status.get("url")) or as_str(status.get("uri")) or None,
        reply_to=reply_to,
        reply_to_id=as_str(status.get("in_reply_to_id")) or None,
        has_media=bool(as_list(status.get("media_attachments"))),
        platform="mastodon",
        visibility=VISIBILITY.get(visibility, "public"),
        content_warning=warning,
    )
