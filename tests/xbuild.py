"""Build X archives for tests, shaped as the real export writes them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def js(global_name: str, value: object) -> str:
    """A data file: `window.YTD.<name>.part0 = ` and pretty-printed JSON, Twitter spacing."""
    body = json.dumps(value, indent=2, ensure_ascii=False).replace('": ', '" : ')
    return f"window.{global_name} = {body}"


def tweet(
    tid: str,
    text: str,
    created_at: str = "Fri Feb 24 06:58:32 +0000 2023",
    reply_to: str | None = None,
    media: list[str] | None = None,
    wrap: bool = True,
) -> dict:
    t: dict = {
        "retweeted": False,
        "source": '<a href="http://twitter.com/download/android">Twitter for Android</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": "0",
        "id_str": tid,
        "truncated": False,
        "retweet_count": "0",
        "id": tid,
        "created_at": created_at,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if reply_to:
        t["in_reply_to_screen_name"] = reply_to
        t["in_reply_to_status_id_str"] = "1"
    if media:
        t["extended_entities"] = {
            "media": [
                {"media_url": f"http://pbs.twimg.com/media/{m}", "type": "photo"} for m in media
            ]
        }
    return {"tweet": t} if wrap else t


def account(username: str = "drtest") -> dict:
    return {
        "account": {
            "email": "drtest@example.com",
            "createdVia": "web",
            "username": username,
            "accountId": "42",
            "createdAt": "2012-01-01T00:00:00.000Z",
            "accountDisplayName": "Dr Test",
        }
    }


def write_archive(path: Path, files: dict[str, str | bytes]) -> Path:
    """A zip (path ends .zip) or a folder holding `files` (member name -> content)."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in files.items():
                z.writestr(name, content)
    else:
        for name, content in files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
    return path


def simple_archive(path: Path, tweets: list[dict], extra: dict[str, str] | None = None) -> Path:
    files = {
        "data/account.js": js("YTD.account.part0", [account()]),
        "data/tweets.js": js("YTD.tweets.part0", tweets),
    }
    files.update(extra or {})
    return write_archive(path, files)
