"""content.photo-location: a photo attached to a post carries the place it was taken.

The media stage (`auditor.media`) reads GPS coordinates from a photo's EXIF or XMP. One
photo says where the user was; several photos of different posts at one place say where they
live or work, or where their children go to school; a place among the user's protected facts
(written as coordinates) is the home itself."""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources

from auditor.checks import CheckContext, CheckMeta, PostCheck, post_date
from auditor.media.settings import settings
from auditor.model import Account, Evidence, Finding, PhotoFacts, Post, Scope, Severity
from auditor.text.analysis import Analysis


@cache
def _advice() -> dict:
    return tomllib.loads(
        resources.files("auditor.checks.content").joinpath("photo_location.toml").read_text("utf-8")
    )


class PhotoLocation(PostCheck):
    meta = CheckMeta(
        id="content.photo-location",
        title="Photo in a post carries the place it was taken",
        scope=Scope.POST,
        severity=Severity.MEDIUM,
        rationale=(
            "A phone writes GPS coordinates into each photo. Anyone with the file can put a pin "
            "on a map: several photos at one place show where you live or work."
        ),
        remediation=(
            "Delete the post or replace the photo with a copy without location, and turn off "
            "location in the camera's settings."
        ),
        references=(
            "https://support.apple.com/guide/iphone/control-the-location-information-you-share-iph3dd5f9be/ios",
            "https://support.google.com/photos/answer/6153599",
        ),
    )

    def check_post(
        self, post: Post, analysis: Analysis | None, account: Account, ctx: CheckContext
    ) -> Iterable[Finding]:
        placed = [p for p in post.photos if p.gps]
        if not placed:
            return ()
        cfg = settings()
        protected = any(p.protected_place for p in placed)
        cluster = max(p.near for p in placed) + 1  # posts at this place, this one included
        if protected:
            severity = Severity.CRITICAL
            why = f"within {cfg.cluster_metres:.0f} m of a place among your protected facts"
        elif cluster >= cfg.cluster_posts:
            severity = Severity.HIGH
            why = (
                f"at the same place as the photos of {cluster - 1} other posts: probably your "
                "home, your work or a place you go every day"
            )
        else:
            severity, why = Severity.MEDIUM, "which show where you were"
        taken = next((p.taken_at for p in placed if p.taken_at), None)
        when = f" (taken {taken.strftime('%Y-%m-%d %H:%M')})" if taken else ""
        title = f"{post_date(post)} has a photo with GPS coordinates{when}, {why}"
        advice = _advice()
        platform = post.platform or account.platform
        remediation = (
            advice["platform"].get(platform, advice["platform"]["other"])
            + " "
            + advice["camera"]["text"]
        )
        return (
            self.finding(
                account=post.account,
                subject=post.id,
                title=title,
                evidence=tuple(_evidence(p) for p in placed),
                post=post,
                severity=severity,
                remediation=remediation,
            ),
        )


def _evidence(p: PhotoFacts) -> Evidence:
    lat, lon = p.gps  # type: ignore[misc]
    return Evidence(
        "photo_gps",
        f"GPS coordinates in photo {posixpath.basename(p.name)}",
        f"{lat:.5f}, {lon:.5f}",
        "geographic subdivisions",
    )
