"""Photos the media tests make: photo-like backgrounds with text drawn at a size, an angle and a
contrast; JPEGs with GPS in EXIF or XMP; a barcode; a drawn face; skin in close-up; a
truncated JPEG and a PNG decompression bomb. Nothing comes from outside the test."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont


def background(size=(1600, 1200), seed=1) -> Image.Image:
    """Blurred colour noise: edges and texture everywhere, like a room or a street."""
    rng = np.random.default_rng(seed)
    base = (rng.random((size[1] // 8, size[0] // 8, 3)) * 255).astype("uint8")
    return Image.fromarray(base).resize(size, Image.BILINEAR).filter(ImageFilter.GaussianBlur(3))


def with_text(
    text: str,
    size=(1600, 1200),
    font_px=48,
    angle=0.0,
    ink=30,
    board=240,
    seed=1,
) -> Image.Image:
    """`text` on a pale board (a whiteboard, a label, a screen) pasted onto a background."""
    font = ImageFont.load_default(size=font_px)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    box = probe.multiline_textbbox((0, 0), text, font=font, spacing=font_px // 3)
    card = Image.new("RGB", (box[2] + 2 * font_px, box[3] + 2 * font_px), (board,) * 3)
    ImageDraw.Draw(card).multiline_text(
        (font_px, font_px), text, fill=(ink,) * 3, font=font, spacing=font_px // 3
    )
    card = card.rotate(angle, expand=True, fillcolor=(110, 110, 110), resample=Image.BICUBIC)
    im = background(size, seed)
    im.paste(card, ((size[0] - card.width) // 2, (size[1] - card.height) // 2))
    return im


def face(size=(800, 800), clothes=(70, 90, 120)) -> Image.Image:
    """A drawn face, front on: skin, hair, eyes with brows, a nose and a mouth."""
    im = Image.new("RGB", size, clothes)
    d = ImageDraw.Draw(im)
    cx, cy, w, h = size[0] // 2, size[1] // 2, 300, 400
    d.ellipse((cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2), fill=(224, 172, 140))
    d.rectangle(
        (cx - w // 2 + 10, cy - h // 2 - 20, cx + w // 2 - 10, cy - h // 2 + 70), fill=(50, 35, 25)
    )
    for ex in (cx - 65, cx + 65):
        d.ellipse((ex - 35, cy - 70, ex + 35, cy - 35), fill=(250, 250, 250))
        d.ellipse((ex - 15, cy - 65, ex + 15, cy - 40), fill=(40, 30, 20))
        d.rectangle((ex - 45, cy - 100, ex + 45, cy - 88), fill=(60, 40, 30))
    d.polygon([(cx, cy - 30), (cx - 25, cy + 50), (cx + 25, cy + 50)], fill=(200, 145, 115))
    d.ellipse((cx - 70, cy + 85, cx + 70, cy + 120), fill=(150, 60, 60))
    return im.filter(ImageFilter.GaussianBlur(4))


def skin(size=(1000, 750), seed=2) -> Image.Image:
    """A forearm in close-up with a red rash: skin over most of the picture."""
    rng = np.random.default_rng(seed)
    tone = np.array([205, 150, 120], dtype=float)
    noise = rng.normal(0, 6, (size[1], size[0], 1))
    arr = np.clip(tone + noise, 0, 255)
    im = Image.fromarray(arr.astype("uint8"))
    d = ImageDraw.Draw(im)
    for _ in range(40):
        x, y = rng.integers(200, size[0] - 200), rng.integers(150, size[1] - 150)
        r = int(rng.integers(8, 25))
        d.ellipse((x - r, y - r, x + r, y + r), fill=(190, 95, 85))
    d.rectangle((0, 0, size[0], 60), fill=(40, 50, 60))  # the sheet behind the arm
    return im.filter(ImageFilter.GaussianBlur(2))


def barcode(text="MRN00482913", size=(1200, 900)) -> Image.Image:
    """A wristband: a Code 128 barcode printed on a white band across a background."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    band = Image.fromarray(zxingcpp.write_barcode_to_image(code, scale=4, add_quiet_zones=True))
    band = band.convert("RGB")
    im = background(size, seed=3)
    im.paste(band, ((size[0] - band.width) // 2, (size[1] - band.height) // 2))
    return im


def jpeg(image: Image.Image, gps=None, taken=None, xmp_gps=None, quality=88) -> bytes:
    """The picture as a JPEG; `gps` (lat, lon) written as EXIF GPS tags, `taken` as
    DateTimeOriginal ("2019:03:13 08:12:00"), `xmp_gps` as an XMP packet instead."""
    exif = Image.Exif()
    if gps is not None:
        lat, lon = gps
        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: _dms(abs(lat)),
            3: "E" if lon >= 0 else "W",
            4: _dms(abs(lon)),
        }
    if taken is not None:
        exif[0x8769] = {36867: taken}
    out = io.BytesIO()
    extra = {}
    if xmp_gps is not None:
        extra["xmp"] = _xmp(*xmp_gps)
    image.save(out, "JPEG", quality=quality, exif=exif.tobytes(), **extra)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    deg = int(value)
    minutes = int((value - deg) * 60)
    seconds = round(((value - deg) * 60 - minutes) * 60, 4)
    return (float(deg), float(minutes), seconds)


def _xmp(lat: float, lon: float) -> bytes:
    def coord(v: float, pos: str, neg: str) -> str:
        deg = int(abs(v))
        return f"{deg},{(abs(v) - deg) * 60:.4f}{pos if v >= 0 else neg}"

    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="{coord(lat, "N", "S")}" exif:GPSLongitude="{coord(lon, "E", "W")}" '
        'exif:DateTimeOriginal="2021-06-05T17:30:00"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def truncated_jpeg(image: Image.Image) -> bytes:
    data = jpeg(image)
    return data[: len(data) // 3]


def png_bomb(side=12_000) -> bytes:
    """A PNG that declares side x side pixels of black: about 140 KB on disk, 144 megapixels
    decoded."""
    block = (b"\x00" + b"\x00" * side) * 1000
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(block) for _ in range(side // 1000)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
