"""The media extra's engines, each optional and loaded once per process: text (RapidOCR on
ONNX Runtime, its models inside the `rapidocr` package), barcodes and QR codes (zxing-cpp),
faces (OpenCV's Haar cascade, inside `opencv-python-headless`) and skin (OpenCV colour ranges).

Nothing is downloaded: RapidOCR is pointed at the model files its wheel ships, so it never
looks for others. Without the extra the stage still reads each photo's location."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.media.settings import settings

# ONNX Runtime's PyPI builds start Microsoft's telemetry when imported: a device id written
# under ~/.cache/Microsoft, and events sent out. Nothing leaves this machine and nothing is
# written outside our own files, so it is switched off before anything imports it, here and
# in every worker (which imports this module first).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

EXTRA_HINT = "install the media extra: pip install '.[media]' in the auditor's folder"
# the packages behind each engine, as the extra installs them
ENGINE_PACKAGES = {
    "text": ("rapidocr", "onnxruntime"),
    "barcodes": ("zxingcpp",),
    "faces": ("cv2", "numpy"),
}
FACE_CASCADE = "haarcascade_frontalface_default.xml"
# the model files the rapidocr wheel ships (PP-OCRv6 small detection and recognition)
OCR_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}


@cache
def missing() -> tuple[str, ...]:
    """The engines whose packages are not installed, in a stable order."""
    out = []
    for engine, modules in ENGINE_PACKAGES.items():
        for module in modules:
            try:
                __import__(module)
            except Exception:  # noqa: BLE001 - an ImportError, or a library that fails to load
                out.append(engine)
                break
    return tuple(out)


@dataclass
class Engines:
    """The loaded engines of this process; an engine that failed to load is None."""

    ocr: Any = None
    cascade: Any = None
    zxing: Any = None
    cv2: Any = None
    np: Any = None


@cache
def load(threads: int = 1) -> Engines:
    """Load what is installed, once per process; `threads` per ONNX Runtime session (the
    stage runs one process per core, each with one thread, which reads the most photos/s)."""
    eng = Engines()
    absent = missing()
    if "faces" not in absent:
        import cv2
        import numpy

        cv2.setNumThreads(1)
        eng.cv2, eng.np = cv2, numpy
        cascade = cv2.CascadeClassifier(str(Path(cv2.data.haarcascades) / FACE_CASCADE))
        eng.cascade = None if cascade.empty() else cascade
    if "barcodes" not in absent:
        import zxingcpp

        eng.zxing = zxingcpp
    if "text" not in absent:
        eng.ocr = _load_ocr(threads)
    return eng


def _load_ocr(threads: int) -> Any:
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {
        key: str(models / name) for key, name in OCR_MODELS.items() if (models / name).exists()
    }
    if len(params) < len(OCR_MODELS):
        return None  # a rapidocr without its models would download them: not here
    params.update(
        {
            "Global.log_level": "error",
            "Global.use_cls": False,
            "Det.limit_type": "max",
            "Det.limit_side_len": settings().ocr_max_side,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    # rapidocr prints a banner on load: the audit's stderr is for the user's progress
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from rapidocr import RapidOCR

        return RapidOCR(params=params)
