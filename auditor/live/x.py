"""X (API v2): the account by its username (profile, the protected flag, the post count) and
its timeline through `next_token` paging; the same handle, private flag, profile and posts
(ids, texts, urls, replies, places, media, retweets) the archive importer reads, so findings
keep their fingerprints whichever source an audit reads.

A bearer (app-only) token reads public accounts; a protected one needs an OAuth 2 user token
of the account itself. Only the newest 3,200 posts are reachable: the older ones are said in
`notes` and need the archive export."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from auditor.config import AccountConfig
from auditor.live.base import Connector, Snapshot
from auditor.live.http import ApiClient, ApiError, AuthFailed, NotFound, RateLimited
from auditor.model import Account, Post, Profile, SecurityState
from auditor.sources.values import as_dict, as_list, as_str, iso_time

REACH = 3200  # the timeline endpoint's limit: the newest posts only
USER_FIELDS = "created_at,description,location,protected,public_metrics,url,entities,verified"
TIMELINE = {
    "max_results": 100,  # the API's largest page
    # note_tweet: a long post's whole text, which the importer takes from note-tweet.js
    "tweet.fields": "created_at,geo,attachments,in_reply_to_user_id,referenced_tweets,entities,"
    "conversation_id,lang,possibly_sensitive,note_tweet",
    # only the places are expanded: media and referenced posts would be billed per resource
    # returned, and a post's media keys and references already say all the audit reads
    "expansions": "geo.place_id",
    "place.fields": "full_name,country_code,geo",
}
TWO_FACTOR_NOTE = (
    "The X API does not show two-factor authentication: check it under Settings and privacy > "
    "Security and account access > Security > Two-factor authentication."
)
ARCHIVE_MENU = "Settings and privacy > Your account > Download an archive of your data"
LOGIN = "auditor login x"


class XConnector(Connector):
    platform = "x"

    def __init__(self, cfg: AccountConfig, client: ApiClient) -> None:
        super().__init__(cfg, client)
        self.user_id = ""
        self.handle = ""
        self.post_count: int | None = None

    def whoami(self) -> str:
        # one lookup: a bearer token cannot call /2/users/me
        return as_str(self._user().get("username"))

    def snapshot(self) -> Snapshot:
        user = self._user()
        self.user_id = as_str(user.get("id"))
        self.handle = as_str(user.get("username"))
        count = as_dict(user.get("public_metrics")).get("tweet_count")
        self.post_count = count if isinstance(count, int) and not isinstance(count, bool) else None
        self.notes = []
        if self.post_count is not None and self.post_count > REACH:
            self.reached_start = False
            self.notes.append(
                f"{self.client.account}: X counts {self.post_count:,} posts and its API reaches "
                f"only the newest {REACH:,}: audit the older ones from the account's archive "
                f"export ({ARCHIVE_MENU})"
            )
        account = Account(
            "x",
            self.handle,
            role=self.cfg.role,
            display_name=as_str(user.get("name")) or None,
        )
        return Snapshot(account, _security(user), self.post_count)

    def pages(self) -> Iterator[list[Post]]:
        key = f"x:{self.handle}"
        path = f"/2/users/{quote(self.user_id, safe='')}/tweets"
        params: dict[str, Any] = dict(TIMELINE)
        reached = 0
        tokens: set[str] = set()
        while True:
            body = self._answer(path, params, "users/:id/tweets")
            tweets = [as_dict(t) for t in as_list(body.get("data"))]
            places = {
                as_str(p.get("id")): p
                for p in map(as_dict, as_list(as_dict(body.get("includes")).get("places")))
            }
            reached += len(tweets)
            posts = [p for t in tweets if (p := _post(t, places, self.user_id, self.handle, key))]
            if posts:
                yield posts
            token = as_str(as_dict(body.get("meta")).get("next_token"))
            if not token or token in tokens:
                break  # the end, or a server handing back a token it gave: do not loop
            tokens.add(token)
            params = {**TIMELINE, "pagination_token": token}
        if self.post_count is not None and reached < self.post_count:
            self.reached_start = False
            if self.post_count <= REACH:  # past the reach, snapshot() has said it already
                self.notes.append(
                    f"{self.client.account}: X counts {self.post_count:,} posts and its API "
                    f"gave {reached:,}: audit the others from the account's archive export "
                    f"({ARCHIVE_MENU})"
                )

    # --- the answers ----------------------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        name = self.cfg.handle.lstrip("@")
        body = self._answer(
            f"/2/users/by/username/{quote(name, safe='')}",
            {"user.fields": USER_FIELDS},
            "users/by/username",
        )
        user = as_dict(body.get("data"))
        if not as_str(user.get("id")) or not as_str(user.get("username")):
            raise ApiError(self.client.account, "users/by/username: no account in the answer")
        return user

    def _answer(self, path: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        """The answer's JSON object; an answer with errors and no data (X says HTTP 200 for
        a protected account, a usage cap or a missing user) raised as one line."""
        body = self.client.get_json(path, params)
        if not isinstance(body, dict):
            raise ApiError(self.client.account, f"{what}: the answer is not a JSON object")
        errors = [as_dict(e) for e in as_list(body.get("errors"))]
        if not errors and "data" not in body and ("type" in body or "title" in body):
            errors = [body]  # a problem-details object on its own
        if body.get("data") or not errors:
            # errors beside data concern expanded objects (a place gone): the posts still count
            return body
        raise self._refusal(errors[0], what)

    def _refusal(self, error: dict[str, Any], what: str) -> ApiError:
        who = self.client.account
        handle = "@" + (self.handle or self.cfg.handle.lstrip("@"))
        kind = as_str(error.get("type")).rstrip("/").rpartition("/")[2]
        detail = (
            as_str(error.get("detail"))
            or as_str(error.get("message"))
            or as_str(error.get("title"))
        ).rstrip(".")
        if kind == "not-authorized-for-resource":
            return AuthFailed(
                who,
                f"{what}: {handle} is a protected account, and an app's bearer token cannot "
                f"read it: use an OAuth 2 user token of {handle} itself (`{LOGIN}`, signed in "
                f"as {handle})",
            )
        if kind == "usage-capped" or as_str(error.get("title")) == "UsageCapExceeded":
            cap = " ".join(as_str(error.get(k)) for k in ("period", "scope") if error.get(k))
            return ApiError(
                who,
                f"{what}: the app's X API usage cap is reached{f' ({cap})' if cap else ''}: "
                "add credits or raise the spending limit in console.x.com, then audit again",
            )
        if kind == "rate-limit-exceeded" or error.get("code") == 88:
            return RateLimited(
                who,
                f"{what}: X's rate limit is reached; the posts fetched so far are audited and "
                "kept: run the audit again later to fetch the rest",
            )
        if kind == "client-forbidden":
            return AuthFailed(
                who,
                f"{what}: X refuses this app ({detail or 'client-forbidden'}): in console.x.com "
                f"give the app read access to the X API, then `{LOGIN}`",
            )
        if kind == "resource-not-found":
            return NotFound(who, f"{what}: {detail or 'not found'}: check the config's handle")
        return ApiError(who, f"{what}: X answered an error: {detail or kind or 'no detail'}")


def _security(user: dict[str, Any]) -> SecurityState:
    where = "users/by/username"
    protected = user.get("protected")
    private = protected if isinstance(protected, bool) else None
    entities = as_dict(user.get("entities"))
    profile = Profile(
        bio=_expand(as_str(user.get("description")), as_dict(entities.get("description"))) or None,
        location=as_str(user.get("location")) or None,
        website=_expand(as_str(user.get("url")), as_dict(entities.get("url"))) or None,
        source=where,
    )
    return SecurityState(
        two_factor_notes=(TWO_FACTOR_NOTE,),
        # the importer's private flag (from protected-history.js): the baseline reads both alike
        private=private,
        private_evidence=(
            f"{where}: the account is {'protected' if private else 'not protected'}"
            if private is not None
            else None
        ),
        profile=profile,
    )


def _expand(text: str, entities: dict[str, Any]) -> str:
    """A profile text with its t.co links replaced by where they lead: what a visitor sees."""
    for link in map(as_dict, as_list(entities.get("urls"))):
        short, full = as_str(link.get("url")), as_str(link.get("expanded_url"))
        if short and full:
            text = text.replace(short, full)
    return text


def _post(
    tweet: dict[str, Any], places: dict[str, dict], own_id: str, handle: str, key: str
) -> Post | None:
    tid = as_str(tweet.get("id"))
    if not tid:
        return None
    note = as_dict(tweet.get("note_tweet") or tweet.get("note_post"))
    text = as_str(note.get("text")) or as_str(tweet.get("text"))
    if "&" in text:
        text = html.unescape(text)  # X escapes &, < and > in texts, as in the archive
    # the t.co links stay as they are: the archive's texts keep them too
    refs = {
        as_str(r.get("type")): as_str(r.get("id"))
        for r in map(
            as_dict, as_list(tweet.get("referenced_tweets", tweet.get("referenced_posts")))
        )
    }
    reply_user = as_str(tweet.get("in_reply_to_user_id"))
    return Post(
        id=tid,
        text=text,
        account=key,
        created_at=iso_time(tweet.get("created_at")),
        url=f"https://x.com/{handle}/status/{tid}",
        reply_to=_replied(tweet, reply_user, own_id, handle) if reply_user else None,
        reply_to_id=refs.get("replied_to") or None,
        # as the importer: a retweet, or an old manual "RT @" that quotes someone else
        is_repost="retweeted" in refs or text.startswith("RT @"),
        has_media=bool(as_list(as_dict(tweet.get("attachments")).get("media_keys"))),
        platform="x",
        place=_place(as_dict(tweet.get("geo")), places) if tweet.get("geo") else None,
    )


def _replied(tweet: dict[str, Any], user_id: str, own_id: str, handle: str) -> str | None:
    """The handle answered (the archive's in_reply_to_screen_name), from the post's own
    mentions: expanding the users would cost a billed user read each."""
    if user_id == own_id:
        return handle
    mentions = [as_dict(m) for m in as_list(as_dict(tweet.get("entities")).get("mentions"))]
    named = next((m for m in mentions if as_str(m.get("id")) == user_id), None)
    chosen = named or (mentions[0] if mentions else {})
    return as_str(chosen.get("username")) or None


def _place(geo: dict[str, Any], places: dict[str, dict]) -> str:
    """A geotagged post's place, as the importer words it: the name, else the coordinates."""
    place = as_dict(places.get(as_str(geo.get("place_id"))))
    name = as_str(place.get("full_name")) or as_str(place.get("name"))
    if name:
        return name
    values = as_list(as_dict(geo.get("coordinates")).get("coordinates"))
    if len(values) == 2:
        return f"{values[1]}, {values[0]}"  # GeoJSON says longitude first
    return "a location"
