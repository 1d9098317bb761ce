"""Reddit, through the OAuth Data API: the account (`/api/v1/me`), its privacy preferences
(`/api/v1/me/prefs`), and every submission and comment the user listings reach; the same
account, settings names and posts (ids, texts, permalinks) the data-export importer reads, so
a finding has one fingerprint whichever source found it.

The keyring holds what `auditor login reddit` stored: the app's client id and secret with a
refresh token (a web or installed app authorised with duration=permanent) or with the
account's username and password (a script app). `authenticate` trades it once for an access
token: the only POST, to www.reddit.com; everything after is a GET on oauth.reddit.com."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from auditor import __version__
from auditor.config import AccountConfig
from auditor.live.base import Connector, Snapshot
from auditor.live.http import ApiClient, ApiError, AuthFailed, NotFound, RateLimited
from auditor.model import Account, Post, Profile, SecurityState, Setting
from auditor.sources.values import as_dict, as_list, as_str

TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
LOGIN_FIX = "run `auditor login reddit` to authorise the app again"
PAGE = 100  # the listings' largest page
# Reddit keeps about 1,000 entries per user listing; a few of them (removed, deleted) may drop
# out when it renders the listing, so one that ends this close to it was most likely cut short
LISTING_REACH = 1000
NEAR_REACH = 980
EXPORT_MENU = "request it at reddit.com/settings/data-request, then `auditor scan` it"
GONE = {"[deleted]", "[removed]"}  # as the export importer: no words left
# the privacy and tracking preferences, under the names the export's user_preferences.csv
# and the settings baseline use (hide_from_robots, accept_pms are judged there)
PREFS = (
    "hide_from_robots",
    "show_presence",
    "accept_pms",
    "enable_followers",
    "public_votes",
    "show_twitter",
    "over_18",
    "search_include_over_18",
    "show_location_based_recommendations",
    "activity_relevant_ads",
    "third_party_data_personalized_ads",
    "third_party_site_data_personalized_ads",
    "third_party_site_data_personalized_content",
    "allow_clicktracking",
)
# what /api/v1/me repeats of them, for a token whose prefs call is refused
ME_PREFS = {"hide_from_robots": "hide_from_robots", "pref_show_presence": "show_presence"}
TWO_FACTOR_NOTE = (
    "The Reddit API does not show two-factor authentication: check it under User settings > "
    "Account > Two-factor authentication."
)


class RedditConnector(Connector):
    platform = "reddit"

    def __init__(self, cfg: AccountConfig, client: ApiClient) -> None:
        super().__init__(cfg, client)
        # Reddit throttles generic agents hard and asks for this form, naming the user
        self.client.user_agent = (
            f"python:footprint-auditor:{__version__} (by /u/{_plain(cfg.handle)})"
        )
        self.name = _plain(cfg.handle)

    def authenticate(self, secret: str) -> None:
        client_id, client_secret, grant = _grant(secret, self.client.account)
        try:
            answer = self.client.open_session(
                TOKEN_URL, data=grant, auth=(client_id, client_secret)
            )
        except AuthFailed:
            raise AuthFailed(
                self.client.account,
                f"www.reddit.com refused the app's client id or secret: {LOGIN_FIX}",
            ) from None
        except ApiError as exc:
            # a refused grant is HTTP 400 with {"error": "invalid_grant"}; a rate limit, a
            # 5xx or no connection stays what the client said
            if not exc.message.endswith("answered HTTP 400"):
                raise
            answer = {"error": "invalid_grant"}
        token = as_str(as_dict(answer).get("access_token"))
        if not token:
            error = as_str(as_dict(answer).get("error"))
            why = f" ({error})" if error.replace("_", "").isalnum() else ""
            raise AuthFailed(
                self.client.account,
                f"www.reddit.com refused the stored authorisation{why}: it was revoked, or the "
                f"password changed: {LOGIN_FIX}",
            )
        self.client.token = token

    def whoami(self) -> str:
        return as_str(self._me().get("name"))

    def snapshot(self) -> Snapshot:
        me = self._me()
        name = as_str(me.get("name"))
        if _plain(name).casefold() != _plain(self.cfg.handle).casefold():
            raise ApiError(
                self.client.account,
                f"the stored authorisation belongs to u/{name}, not u/{_plain(self.cfg.handle)}: "
                "run `auditor login reddit` signed in as the configured account",
            )
        self.name = name
        try:
            prefs = _answer(self.client.get_json("/api/v1/me/prefs"), "me/prefs", self.client)
        except (AuthFailed, NotFound):
            prefs = {}  # a token without the scope still reads the account and its posts
        account = Account("reddit", name, role=self.cfg.role)
        return Snapshot(account, _security(me, prefs))

    def pages(self) -> Iterator[list[Post]]:
        """Submissions and comments merged into one stream, newest first by created_utc.

        `_sync` stops at the first page holding a post it already has, taking everything
        older as fetched before. That is only true of one stream in time order: yielding all
        the submissions and then the comments would stop on an old cached submission before
        a new comment was ever asked for. So the first page of both listings is fetched
        before anything is yielded, and a post leaves only when it is newer than the head of
        the other listing (or that listing is done); a page is yielded before each further
        fetch, so an incremental audit stops after the fewest calls.

        A listing that ends near Reddit's reach of about 1,000 items most likely holds older
        ones it will not show: that is said in `notes`, and `reached_start` turns False."""
        self.notes = []
        key = f"reddit:{self.name}"
        listings = [
            _Listing(self, "submitted", "t3", key),
            _Listing(self, "comments", "t1", key),
        ]
        out: list[Post] = []
        while True:
            for listing in listings:
                while not listing.buffer and not listing.done:
                    if out:
                        yield out
                        out = []
                    listing.fetch()
            ready = [li for li in listings if li.buffer]
            if not ready:
                break
            newest = max(ready, key=lambda li: li.buffer[0][0])
            out.append(newest.buffer.popleft()[1])
        if out:
            yield out
        cut = [li.what for li in listings if li.count >= NEAR_REACH]
        if cut:
            self.reached_start = False
            self.notes.append(
                f"{self.client.account}: Reddit lists only about the newest {LISTING_REACH:,} "
                f"{' and '.join(cut)}, and this account reached that: audit any older ones from "
                f"the account's data export ({EXPORT_MENU})"
            )

    def _me(self) -> dict[str, Any]:
        me = _answer(self.client.get_json("/api/v1/me"), "me", self.client)
        if not as_str(me.get("name")):
            raise ApiError(self.client.account, "api/v1/me: no account in the answer")
        return me


class _Listing:
    """One of the user's listings, fetched a page at a time into a buffer of
    (created_utc, post), newest first."""

    def __init__(self, connector: RedditConnector, what: str, kind: str, key: str) -> None:
        self.client = connector.client
        self.path = f"/user/{connector.name}/{what}"
        self.what = "submissions" if what == "submitted" else "comments"
        self.kind = kind
        self.key = key
        self.after: str | None = None
        self.afters: set[str] = set()
        self.done = False
        self.count = 0  # entries the API listed, those with no words left included
        self.buffer: deque[tuple[float, Post]] = deque()
        self.last = float("inf")

    def fetch(self) -> None:
        params: dict[str, Any] = {"limit": PAGE, "raw_json": 1, "sort": "new"}
        if self.after:
            params["after"] = self.after
        answer = self.client.get_json(self.path, params)
        if not (
            isinstance(answer, dict)
            and answer.get("kind") == "Listing"
            and isinstance(as_dict(answer.get("data")).get("children"), list)
        ):
            _answer(answer, self.what, self.client)  # an error document raises here
            raise ApiError(self.client.account, f"{self.path}: the answer is not a listing")
        data = answer["data"]
        for child in map(as_dict, data["children"]):
            if child.get("kind") != self.kind:
                continue
            self.count += 1
            item = as_dict(child.get("data"))
            created = item.get("created_utc")
            if isinstance(created, int | float) and not isinstance(created, bool):
                self.last = float(created)
            # one without a time keeps its place in this listing's own order
            post = _submission(item, self.key) if self.kind == "t3" else _comment(item, self.key)
            if post is not None:
                self.buffer.append((self.last, post))
        after = as_str(data.get("after"))
        if not after or after in self.afters:
            self.done = True  # the end, or a listing pointing back at a page it gave
        self.afters.add(after)
        self.after = after


def _grant(secret: str, account: str) -> tuple[str, str, dict[str, str]]:
    """The app's id and secret and the token request's form, from the stored JSON; never a
    word of the secret in a message."""
    fix = AuthFailed(
        account,
        "the stored Reddit secret is not the authorisation `auditor login reddit` stores "
        '(JSON with "client_id" and a "refresh_token", or "username" and "password"): run '
        "`auditor login reddit`",
    )
    try:
        doc = json.loads(secret)
    except ValueError:
        raise fix from None
    doc = as_dict(doc)
    client_id = as_str(doc.get("client_id"))
    client_secret = as_str(doc.get("client_secret"))  # empty for an installed app
    if client_id and as_str(doc.get("refresh_token")):
        return (
            client_id,
            client_secret,
            {"grant_type": "refresh_token", "refresh_token": doc["refresh_token"]},
        )
    if client_id and as_str(doc.get("username")) and as_str(doc.get("password")):
        return (
            client_id,
            client_secret,
            {"grant_type": "password", "username": doc["username"], "password": doc["password"]},
        )
    raise fix


def _answer(answer: Any, what: str, client: ApiClient) -> dict[str, Any]:
    """The answer as a dict, unless it is Reddit's error document, which it sends even with
    HTTP 200 on throttled paths: `{"message": "Too Many Requests", "error": 429}`."""
    if not isinstance(answer, dict):
        raise ApiError(client.account, f"{what}: the answer is not a JSON object")
    error = answer.get("error")
    if error is None or "name" in answer:
        return answer
    message = as_str(answer.get("message")) or str(error)
    error = int(error) if isinstance(error, str) and error.isdigit() else error
    if error == 429:
        raise RateLimited(
            client.account,
            f"{what}: Reddit answered {message!r} (its rate limit): the posts fetched so far "
            "are audited and kept: run the audit again later to fetch the rest",
        )
    if error in (401, 403):
        raise AuthFailed(client.account, f"{what}: Reddit answered {message!r}: {LOGIN_FIX}")
    if error == 404:
        raise NotFound(client.account, f"{what}: Reddit answered {message!r}")
    raise ApiError(client.account, f"{what}: Reddit answered an error ({message[:80]})")


def _security(me: dict[str, Any], prefs: dict[str, Any]) -> SecurityState:
    settings = [
        Setting(name, prefs[name], "api/v1/me/prefs")
        for name in PREFS
        if isinstance(prefs.get(name), bool | str)
    ]
    named = {s.name for s in settings}
    settings += [
        Setting(name, me[field], "api/v1/me")
        for field, name in ME_PREFS.items()
        if name not in named and isinstance(me.get(field), bool)
    ]
    # the export's linked_identities.csv rows: one setting per sign-in provider
    for identity in as_list(me.get("linked_identities")):
        issuer = (
            identity
            if isinstance(identity, str)
            else next(
                (
                    as_str(as_dict(identity).get(k))
                    for k in ("issuer_id", "issuer", "provider")
                    if as_str(as_dict(identity).get(k))
                ),
                "",
            )
        )
        settings.append(Setting("linked_identity", issuer, "api/v1/me"))
    profile = as_dict(me.get("subreddit"))
    return SecurityState(
        two_factor_notes=(TWO_FACTOR_NOTE,),
        settings=tuple(settings),
        profile=Profile(
            bio=as_str(profile.get("public_description")) or None,
            source="api/v1/me",
        ),
    )


def _submission(item: dict[str, Any], key: str) -> Post | None:
    # the importer's joining of posts.csv's title and body, to the character
    title, body = as_str(item.get("title")), as_str(item.get("selftext"))
    if body in GONE:
        body = ""
    text = f"{title}\n{body}".strip() if body else title
    pid = as_str(item.get("id"))
    if not text or text in GONE or not pid:
        return None
    url = as_str(item.get("url"))
    return Post(
        id=pid,
        text=text,
        account=key,
        created_at=_time(item.get("created_utc")),
        url=_url(item.get("permalink")),
        has_media=bool(url) and "reddit.com" not in url,
        platform="reddit",
    )


def _comment(item: dict[str, Any], key: str) -> Post | None:
    body = as_str(item.get("body"))
    cid = as_str(item.get("id"))
    if not body or body in GONE or not cid:
        return None
    return Post(
        id=cid,
        text=body,
        account=key,
        created_at=_time(item.get("created_utc")),
        url=_url(item.get("permalink")),
        platform="reddit",
        kind="comment",
    )


def _plain(handle: str) -> str:
    """A Reddit name as the config may write it ("u/name", "/u/name", "@name"): the name."""
    name = handle.strip().lstrip("@/")
    return name[2:] if name[:2].casefold() == "u/" else name


def _url(permalink: Any) -> str | None:
    link = as_str(permalink)
    if not link:
        return None
    return link if link.startswith("http") else f"https://www.reddit.com{link}"


def _time(value: Any) -> datetime | None:
    # whole seconds, as the export's "2024-01-02 03:04:05 UTC"
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(int(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
