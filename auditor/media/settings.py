"""The media stage's limits and thresholds, from media.toml beside this module."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class MediaSettings:
    max_bytes: int
    max_pixels: int
    video_suffixes: tuple[str, ...]
    ocr_max_side: int
    ocr_min_score: float
    ocr_min_chars: int
    face_max_side: int
    face_scale_factor: float
    face_min_neighbors: int
    face_min_share: float
    skin_share: float
    skin_cr: tuple[int, int]
    skin_cb: tuple[int, int]
    skin_y_min: int
    cluster_metres: float
    cluster_posts: int


@cache
def settings() -> MediaSettings:
    raw = tomllib.loads(resources.files("auditor.media").joinpath("media.toml").read_text("utf-8"))
    limits, ocr, faces, skin, loc = (
        raw["limits"],
        raw["ocr"],
        raw["faces"],
        raw["skin"],
        raw["location"],
    )
    return MediaSettings(
        max_bytes=int(limits["max_bytes"]),
        max_pixels=int(limits["max_pixels"]),
        video_suffixes=tuple(s.lower() for s in limits["video_suffixes"]),
        ocr_max_side=int(ocr["max_side"]),
        ocr_min_score=float(ocr["min_score"]),
        ocr_min_chars=int(ocr["min_chars"]),
        face_max_side=int(faces["max_side"]),
        face_scale_factor=float(faces["scale_factor"]),
        face_min_neighbors=int(faces["min_neighbors"]),
        face_min_share=float(faces["min_share"]),
        skin_share=float(skin["share"]),
        skin_cr=(int(skin["cr"][0]), int(skin["cr"][1])),
        skin_cb=(int(skin["cb"][0]), int(skin["cb"][1])),
        skin_y_min=int(skin["y_min"]),
        cluster_metres=float(loc["cluster_metres"]),
        cluster_posts=int(loc["cluster_posts"]),
    )
