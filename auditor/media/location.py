"""Where and when a photo was taken, from its EXIF GPS tags or its XMP packet, and which of an
account's photos were taken at one place."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306
EARTH_METRES = 6_371_000.0

# exif:GPSLatitude="40,42.768N" as an attribute or an element; XMP writes degrees and decimal
# minutes (or minutes and seconds) with the hemisphere letter last
_XMP_COORD = {
    axis: re.compile(
        rf"exif:GPS{axis}(?:=\"|>)\s*(\d{{1,3}})(?:,(\d{{1,2}}(?:\.\d+)?))?"
        r"(?:,(\d{1,2}(?:\.\d+)?))?\s*([NSEW])",
        re.IGNORECASE,
    )
    for axis in ("Latitude", "Longitude")
}
_XMP_TIME = re.compile(
    r"(?:exif:DateTimeOriginal|xmp:CreateDate|photoshop:DateCreated)(?:=\"|>)\s*"
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)"
)
# a protected fact written as coordinates: "40.7128, -74.0060" or "geo:40.7128,-74.0060"
_FACT_COORDS = re.compile(r"^\s*(?:geo:)?\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def read(image: Image.Image) -> tuple[tuple[float, float] | None, datetime | None]:
    """(latitude, longitude) and the capture time, each None where the photo does not say;
    EXIF first, then XMP. Unreadable tags count as absent: they are the camera's, not ours."""
    gps: tuple[float, float] | None = None
    taken: datetime | None = None
    try:
        exif = image.getexif()
        gps = _exif_gps(exif.get_ifd(GPS_IFD))
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        taken = _exif_time(raw)
    except Exception:  # noqa: BLE001 - a malformed EXIF block is the camera's fault
        pass
    xmp = _xmp_packet(image)
    if xmp:
        gps = gps or _xmp_gps(xmp)
        if taken is None:
            m = _XMP_TIME.search(xmp)
            taken = _parse_time(m.group(1).replace("T", " ")) if m else None
    return gps, taken


def _exif_gps(ifd: dict) -> tuple[float, float] | None:
    try:
        lat = _degrees(ifd[2], ifd.get(1, "N"))
        lon = _degrees(ifd[4], ifd.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    return _valid(lat, lon)


def _degrees(dms: Sequence, ref: object) -> float:
    parts = [float(x) for x in dms]
    value = (
        parts[0]
        + (parts[1] if len(parts) > 1 else 0) / 60
        + (parts[2] if len(parts) > 2 else 0) / 3600
    )
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -value if str(ref).strip().upper()[:1] in ("S", "W") else value


def _valid(lat: float, lon: float) -> tuple[float, float] | None:
    # (0, 0) is what a camera without a fix writes, not a place in the Gulf of Guinea
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    return (round(lat, 6), round(lon, 6))


def _xmp_packet(image: Image.Image) -> str:
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    return raw if isinstance(raw, str) else ""


def _xmp_gps(xmp: str) -> tuple[float, float] | None:
    found = []
    for axis in ("Latitude", "Longitude"):
        m = _XMP_COORD[axis].search(xmp)
        if m is None:
            return None
        deg, minutes, seconds, ref = m.groups()
        found.append(_degrees([deg, minutes or 0, seconds or 0], ref))
    return _valid(found[0], found[1])


def _exif_time(raw: object) -> datetime | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if not isinstance(raw, str):
        return None
    # "2019:03:13 08:12:00", the date's colons as EXIF writes them
    return _parse_time(raw.strip().replace(":", "-", 2))


def _parse_time(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_METRES * math.asin(min(1.0, math.sqrt(h)))


def protected_places(facts: Sequence[str]) -> tuple[tuple[float, float], ...]:
    """The protected facts that are coordinates (a home, a school), as points."""
    out = []
    for fact in facts:
        m = _FACT_COORDS.match(fact)
        if m:
            point = _valid(float(m.group(1)), float(m.group(2)))
            if point:
                out.append(point)
    return tuple(out)


def neighbours(points: Sequence[tuple[str, tuple[float, float]]], radius: float) -> list[int]:
    """For each (post id, point), how many other posts have a photo within `radius` metres.
    Points are bucketed in cells of about `radius`, so each is compared with its neighbours."""
    cell = radius / 111_000  # degrees of latitude
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (_, (lat, lon)) in enumerate(points):
        grid[(math.floor(lat / cell), math.floor(lon / cell))].append(i)
    out = []
    for post, p in points:
        row, col = math.floor(p[0] / cell), math.floor(p[1] / cell)
        # a degree of longitude shrinks towards the poles: look further along it
        span = math.ceil(1 / max(math.cos(math.radians(p[0])), 0.01))
        near: set[str] = set()
        for r in (row - 1, row, row + 1):
            for c in range(col - span, col + span + 1):
                for j in grid.get((r, c), ()):
                    other, q = points[j]
                    if other != post and other not in near and metres(p, q) <= radius:
                        near.add(other)
        out.append(len(near))
    return out
