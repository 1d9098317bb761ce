"""What the engines see in one photo: the function each worker process runs.

It takes the photo's bytes and returns plain data (the cache stores it as JSON): the text
read, the number of barcodes (never what they encode), faces, and whether skin fills the
picture. Location is read separately, from the header alone (`location.py`)."""

from __future__ import annotations

from typing import Any

from auditor.media import engines, photo
from auditor.media.settings import settings

# Bumped when an engine or threshold changes what a photo yields: older cache rows are
# then read again instead of trusted.
VERSION = "1"


def version() -> str:
    """The analyser's identity for the cache: our version and the engines present."""
    absent = engines.missing()
    return VERSION + "+" + ",".join(e for e in engines.ENGINE_PACKAGES if e not in absent)


def analyse(data: bytes, threads: int = 1) -> dict[str, Any]:
    """{"text", "codes", "faces", "body"} for the picture, or {"skipped": why}."""
    cfg = settings()
    eng = engines.load(threads)
    try:
        image = photo.decode(data, max(cfg.ocr_max_side, cfg.face_max_side))
    except photo.PhotoSkipped as exc:
        return {"skipped": str(exc)}
    out: dict[str, Any] = {"text": "", "codes": 0, "faces": 0, "body": False}
    if eng.np is None:
        return out
    np, cv2 = eng.np, eng.cv2
    rgb = np.asarray(image)
    if eng.ocr is not None:
        out["text"] = _text(eng.ocr, rgb[:, :, ::-1], cfg.ocr_min_score, cfg.ocr_min_chars)
    if eng.zxing is not None:
        # counted, and the decoded content dropped right here: it never leaves this function
        out["codes"] = len(eng.zxing.read_barcodes(rgb))
    gray = cv2.cvtColor(_scaled(cv2, rgb, cfg.face_max_side), cv2.COLOR_RGB2GRAY)
    if eng.cascade is not None:
        side = int(min(gray.shape) * cfg.face_min_share)
        faces = eng.cascade.detectMultiScale(
            gray,
            scaleFactor=cfg.face_scale_factor,
            minNeighbors=cfg.face_min_neighbors,
            minSize=(side, side),
        )
        out["faces"] = len(faces)
    out["body"] = _skin_share(cv2, np, rgb, cfg) >= cfg.skin_share
    return out


def _text(ocr: Any, bgr: Any, min_score: float, min_chars: int) -> str:
    result = ocr(bgr)
    lines = []
    for text, score in zip(result.txts or (), result.scores or (), strict=False):
        words = " ".join(str(text).split())
        if score >= min_score and sum(ch.isalnum() for ch in words) >= min_chars:
            lines.append(words)
    return "\n".join(lines)


def _scaled(cv2: Any, rgb: Any, side: int) -> Any:
    h, w = rgb.shape[:2]
    if max(h, w) <= side:
        return rgb
    f = side / max(h, w)
    return cv2.resize(rgb, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)


def _skin_share(cv2: Any, np: Any, rgb: Any, cfg: Any) -> float:
    small = _scaled(cv2, rgb, 160)
    ycc = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycc[:, :, 0], ycc[:, :, 1], ycc[:, :, 2]
    mask = (
        (y >= cfg.skin_y_min)
        & (cr >= cfg.skin_cr[0])
        & (cr <= cfg.skin_cr[1])
        & (cb >= cfg.skin_cb[0])
        & (cb <= cfg.skin_cb[1])
    )
    return float(np.count_nonzero(mask)) / mask.size
