"""One attached photo, read from the export into memory (never extracted to disk) and opened
with Pillow: refused when it is too large, not an image, or a decompression bomb."""

from __future__ import annotations

import hashlib
import io
import tarfile
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from auditor.archive import Archive
from auditor.errors import InputError
from auditor.media.settings import settings

BOMB = "declares more pixels than any photo has: refused as a likely decompression bomb"


class PhotoSkipped(Exception):
    """The photo cannot be analysed; the message says why, for the coverage."""


@dataclass(frozen=True)
class PhotoBytes:
    name: str  # the path in the archive
    data: bytes
    digest: str  # sha256 of the content: the media cache's key


def read(archive: Archive, name: str) -> PhotoBytes:
    """The photo's bytes, straight from the archive; PhotoSkipped when it cannot be read."""
    limit = settings().max_bytes
    try:
        size = archive.size(name)
    except (KeyError, OSError) as exc:
        raise PhotoSkipped("not in the export") from exc
    if size > limit:
        raise PhotoSkipped(f"{size:,} bytes, over the {limit:,} read for one photo")
    try:
        with archive.open(name) as stream:
            data = stream.read(limit + 1)
    except InputError as exc:
        raise PhotoSkipped(exc.message) from exc
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, tarfile.TarError) as exc:
        # a member cut short, a bad CRC, damaged compressed data
        raise PhotoSkipped(f"cannot be read from the export ({exc})") from exc
    if len(data) > limit:
        raise PhotoSkipped(f"over the {limit:,} bytes read for one photo")
    return PhotoBytes(name, data, hashlib.sha256(data).hexdigest())


def open_image(data: bytes) -> Image.Image:
    """The picture, its header read but its pixels not yet decoded; PhotoSkipped for a file
    that is no image or that would decode to more pixels than a photo has (a bomb)."""
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past its own limit; ours is checked just below
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombWarning) as exc:
        raise PhotoSkipped(_unreadable(exc)) from exc
    except Image.DecompressionBombError as exc:
        raise PhotoSkipped(BOMB) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoSkipped(f"not a readable image ({exc})") from exc
    width, height = image.size
    if width * height > settings().max_pixels:
        raise PhotoSkipped(
            f"declares {width:,} x {height:,} pixels: refused as a likely decompression bomb"
        )
    if width < 1 or height < 1:
        raise PhotoSkipped("an empty picture")
    return image


def decode(data: bytes, max_side: int) -> Image.Image:
    """The picture in RGB, scaled down so its longer side is at most `max_side` (JPEGs are
    decoded at a reduced scale straight away, which is much faster)."""
    image = open_image(data)
    try:
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))
        image = image.convert("RGB")
    except Image.DecompressionBombError as exc:
        raise PhotoSkipped(BOMB) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PhotoSkipped(_damaged(exc)) from exc
    image.thumbnail((max_side, max_side))
    return image


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombWarning):
        return BOMB
    return "not an image Pillow can read"


def _damaged(exc: Exception) -> str:
    text = str(exc)
    if "truncated" in text:
        return "truncated: the file ends before the picture does"
    return f"damaged ({text})"
