"""The media stage: what attached photos give away, on photos the tests make.

Unit tests read text at several sizes, angles and contrasts, GPS from EXIF and XMP, a
barcode, a face and skin; the end-to-end tests audit an X archive and a Facebook export with
photos through the CLI, in every report format, twice (the second from the cache), with
--no-media, and without the media extra."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from importlib.resources import files
from pathlib import Path

import photos
import pytest
from jsonschema import Draft202012Validator
from test_facebook import export as facebook_export

from auditor import config as config_mod
from auditor import engine
from auditor.archive import Archive
from auditor.media import analyse, engines, location, photo, settings
from auditor.media.cache import MediaCache
from auditor.media.stage import MediaStage
from auditor.plugins import discover
from auditor.progress import Progress

import xbuild
from conftest import run_cli

needs_engines = pytest.mark.skipif(
    bool(engines.missing()), reason="the media extra is not installed (pip install '.[media]')"
)

HOME = (40.71280, -74.00600)
# what the wristband's barcode encodes: it must never be printed anywhere
BARCODE = "PT7781ZQ"
MRN = "MRN 00482913"


def whiteboard(**kw) -> bytes:
    return photos.jpeg(photos.with_text(f"Bed 4: J. Smith\n{MRN}", **kw))


def plain(seed: int, **kw) -> bytes:
    return photos.jpeg(photos.background((800, 600), seed=seed), **kw)


# (tweet id, text, [(file name, bytes)]): each photo with what it should give
POSTS = [
    ("101", "Rough night on the ward.", [("wb.jpg", whiteboard(angle=8))]),
    (
        "102",
        "Our new home! Finally moved in",
        [
            (
                "parcel.jpg",
                photos.jpeg(photos.with_text("Maya Okafor\n14 Linden Street", font_px=40)),
            )
        ],
    ),
    (
        "103",
        "Night shift on the ward, our patient in bay 3 is doing better",
        [("band.jpg", None)],  # the barcode, made when the engines are there
    ),
    (
        "104",
        "Great keynote on flu vaccination at #ACP2026",
        [
            (
                "slide.jpg",
                photos.jpeg(
                    photos.with_text(
                        "Influenza hospitalisations 2023: 12,400\n"
                        "Adults over 65: 61% vaccinated\n"
                        "Source: state health department",
                        font_px=36,
                    )
                ),
            )
        ],
    ),
    ("105", "Discharged our patient today after 3 weeks in the ICU", [("face.jpg", None)]),
    ("106", "Family picnic", [("face2.jpg", None)]),
    ("107", "Garden looking lovely", [("g1.jpg", plain(5, gps=HOME, taken="2021:05:01 10:00:00"))]),
    ("108", "Morning coffee", [("g2.jpg", plain(6, gps=(40.71290, -74.00610)))]),
    ("109", "Snow day", [("g3.jpg", plain(7, xmp_gps=(40.71275, -74.00590)))]),
    ("110", "Beach trip", [("b.jpg", plain(8, gps=(25.7617, -80.1918)))]),
    ("111", "Our patient's wound on day 3, healing well on the ward", [("rash.jpg", None)]),
    ("112", "Sunset", [("bad.jpg", photos.truncated_jpeg(photos.background((800, 600))))]),
    ("113", "Pattern", [("bomb.png", photos.png_bomb())]),
    ("114", "Notes", [("notes.jpg", b"hello, this is text, not a picture")]),
    ("115", "Clip", [("clip.mp4", b"\x00\x00\x00\x18ftypmp42")]),
]


def _made(name: str) -> bytes:
    if name == "band.jpg":
        return photos.jpeg(photos.barcode(BARCODE))
    if name == "face.jpg":
        return photos.jpeg(photos.face())
    if name == "face2.jpg":
        return photos.jpeg(photos.face(clothes=(90, 120, 70)))
    return photos.jpeg(photos.skin())


def x_archive(path: Path) -> Path:
    files = {
        "data/account.js": xbuild.js("YTD.account.part0", [xbuild.account("drtest")]),
        "data/tweets.js": xbuild.js(
            "YTD.tweets.part0",
            [xbuild.tweet(t, text, media=[n for n, _ in m]) for t, text, m in POSTS],
        ),
    }
    for tid, _, media in POSTS:
        for name, data in media:
            files[f"data/tweets_media/{tid}-{name}"] = data if data is not None else _made(name)
    return xbuild.write_archive(path, files)


def by_post(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        if f.get("post"):
            out.setdefault(f["post"]["id"], []).append(f)
    return out


def kinds(finding: dict) -> set[str]:
    return {e["kind"] for e in finding["evidence"]}


# --- the engines, one photo at a time -----------------------------------------------------


@needs_engines
@pytest.mark.parametrize(
    "font_px, angle, ink, board",
    [
        (48, 0, 30, 240),
        (32, 12, 30, 240),
        (24, -15, 30, 240),
        (40, 0, 120, 200),  # grey marker on a grey board
        (28, 6, 200, 60),  # light text on a dark screen
    ],
)
def test_text_is_read_at_several_sizes_angles_and_contrasts(font_px, angle, ink, board):
    seen = analyse.analyse(whiteboard(font_px=font_px, angle=angle, ink=ink, board=board))
    flat = " ".join(seen["text"].split())
    assert re.search(r"MRN ?00482913", flat), seen
    assert "Smith" in flat


@needs_engines
def test_a_plain_photo_has_no_text_code_face_or_skin():
    seen = analyse.analyse(plain(9))
    assert seen == {"text": "", "codes": 0, "faces": 0, "body": False}


@needs_engines
def test_barcode_is_counted_and_its_content_dropped():
    seen = analyse.analyse(photos.jpeg(photos.barcode(BARCODE)))
    assert seen["codes"] == 1
    assert BARCODE not in json.dumps(seen)


@needs_engines
def test_face_and_skin():
    assert analyse.analyse(photos.jpeg(photos.face()))["faces"] == 1
    skin = analyse.analyse(photos.jpeg(photos.skin()))
    assert skin["body"] is True and skin["faces"] == 0


def test_gps_and_time_from_exif_and_xmp():
    def read(data: bytes):
        return location.read(photo.open_image(data))

    gps, taken = read(plain(1, gps=(40.7128, -74.006), taken="2019:03:13 08:12:00"))
    assert gps == (40.7128, -74.006) and taken.isoformat() == "2019-03-13T08:12:00"
    gps, taken = read(plain(1, gps=(-33.8688, 151.2093)))
    assert gps == (-33.8688, 151.2093) and taken is None
    gps, taken = read(plain(1, xmp_gps=(-33.8688, 151.2093)))
    assert gps == (-33.8688, 151.2093) and taken.isoformat() == "2021-06-05T17:30:00"
    assert read(plain(1)) == (None, None)
    assert read(plain(1, gps=(0.0, 0.0))) == (None, None)  # a camera without a fix


def test_places_cluster_by_post_within_the_radius():
    pts = [
        ("a", HOME),
        ("b", (40.71290, -74.00610)),  # 14 m away
        ("b", (40.71291, -74.00611)),  # the same post's second photo counts once
        ("c", (40.71400, -74.00600)),  # 133 m
        ("d", (40.72000, -74.00600)),  # 800 m
    ]
    assert location.neighbours(pts, 150) == [2, 2, 2, 2, 0]
    assert location.protected_places(["40.7128, -74.0060", "geo:1.5,2.5", "12 Elm St"]) == (
        (40.7128, -74.006),
        (1.5, 2.5),
    )


def test_bad_photos_are_skipped_with_a_reason(monkeypatch):
    with pytest.raises(photo.PhotoSkipped, match="decompression bomb"):
        photo.open_image(photos.png_bomb())
    with pytest.raises(photo.PhotoSkipped, match="truncated"):
        photo.decode(photos.truncated_jpeg(photos.background((800, 600))), 800)
    with pytest.raises(photo.PhotoSkipped, match="not an image"):
        photo.open_image(b"GIF89a? no, plain text")
    huge = photos.jpeg(photos.background((4000, 3000)))
    small = settings.settings().__class__(
        **{**settings.settings().__dict__, "max_pixels": 4000 * 3000 - 1}
    )
    monkeypatch.setattr(photo, "settings", lambda: small)
    with pytest.raises(photo.PhotoSkipped, match="declares 4,000 x 3,000 pixels"):
        photo.open_image(huge)


def test_a_corrupt_zip_member_is_skipped_and_the_rest_read(tmp_path):
    import zipfile

    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.jpg", plain(1))
        z.writestr("b.jpg", plain(2, gps=HOME))
    raw = bytearray(path.read_bytes())
    start = raw.index(b"a.jpg") + len("a.jpg")  # a.jpg's data follows its local header
    for i in range(start + 200, start + 400):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    archive = Archive(path)
    with pytest.raises(photo.PhotoSkipped, match="cannot be read from the export"):
        photo.read(archive, "a.jpg")
    assert photo.read(archive, "b.jpg").data == plain(2, gps=HOME)


def test_a_photo_larger_than_the_limit_is_not_read(tmp_path, monkeypatch):
    (tmp_path / "big.jpg").write_bytes(b"\xff" * 5000)
    small = settings.settings().__class__(**{**settings.settings().__dict__, "max_bytes": 4096})
    monkeypatch.setattr(photo, "settings", lambda: small)
    with pytest.raises(photo.PhotoSkipped, match="5,000 bytes, over the 4,096"):
        photo.read(Archive(tmp_path), "big.jpg")


# --- an X archive through the CLI -----------------------------------------------------------


@pytest.fixture(scope="module")
def x_run(tmp_path_factory, shared_cache):
    """The archive audited once as JSON with an empty cache, then in the other formats."""
    root = tmp_path_factory.mktemp("media")
    home = root / "home"
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(shared_cache),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    archive = x_archive(root / "twitter-photos.zip")
    before = sorted(p.name for p in root.rglob("*"))
    first = run_cli("scan", archive, "-f", "json", "-q", "--fail-on", "none", env_extra=env)
    outputs = {"json": first.stdout}
    for fmt in ("text", "markdown", "csv", "html"):
        got = run_cli("scan", archive, "-f", fmt, "-q", "--fail-on", "none", env_extra=env)
        assert got.returncode in (0, 3), got.stderr
        outputs[fmt] = got.stdout
    return {
        "root": root,
        "home": home,
        "env": env,
        "archive": archive,
        "before": before,
        "first": first,
        "doc": json.loads(first.stdout),
        "outputs": outputs,
    }


@needs_engines
def test_each_photo_gives_its_finding(x_run):
    posts = by_post(x_run["doc"])
    (wb,) = posts["101"]
    assert wb["check"] == "content.patient-identifiers" and wb["severity"] == "critical"
    assert "text_in_photo" in kinds(wb) and "record_number" in kinds(wb)
    assert any(e["label"] == "a record number (text in photo)" for e in wb["evidence"])
    assert any(e["label"] == "text in photo 101-wb.jpg" for e in wb["evidence"])

    (parcel,) = posts["102"]
    assert parcel["check"] == "content.self-exposure" and "address" in kinds(parcel)
    assert "text_in_photo" in kinds(parcel)

    band = [f for f in posts["103"] if f["check"] == "content.patient-identifiers"]
    assert band and "photo_code" in kinds(band[0])

    assert "104" not in posts  # a conference slide's public-health numbers identify no one

    (face,) = posts["105"]
    assert face["check"] == "content.patient-identifiers" and "photo_face" in kinds(face)
    assert "106" not in posts  # a face without clinical context is no finding by itself

    (rash,) = posts["111"]
    assert "photo_body" in kinds(rash)


@needs_engines
def test_photo_location_clusters_and_single_places(x_run):
    posts = by_post(x_run["doc"])
    for tid in ("107", "108", "109"):  # three posts at one place: home or work
        (f,) = posts[tid]
        assert f["check"] == "content.photo-location" and f["severity"] == "high"
        assert "at the same place as the photos of 2 other posts" in f["title"]
        assert "Camera > Never" in f["remediation"] and "Location information" in f["remediation"]
    assert "(taken 2021-05-01 10:00)" in posts["107"][0]["title"]
    (beach,) = posts["110"]
    assert beach["severity"] == "medium" and "which show where you were" in beach["title"]
    assert beach["post"]["url"] == "https://x.com/drtest/status/110"


@needs_engines
def test_coverage_counts_and_names_the_skipped_photos(x_run):
    cov = x_run["doc"]["coverage"]["sources"][0]["photos"]
    assert cov["found"] == 14 and cov["videos"] == 1
    assert cov["analysed"] == 11 and cov["cached"] == 0 and cov["missing_engines"] == []
    skipped = "\n".join(cov["skipped"])
    assert len(cov["skipped"]) == 3
    assert "113-bomb.png: declares more pixels than any photo has" in skipped
    assert "112-bad.jpg: truncated" in skipped
    assert "114-notes.jpg: not an image" in skipped
    schema = json.loads((files("auditor.reports") / "report.schema.json").read_text())
    Draft202012Validator(schema).validate(x_run["doc"])


@needs_engines
def test_every_format_shows_the_photo_findings_with_their_posts(x_run):
    out = x_run["outputs"]
    for fmt in ("text", "markdown", "html"):
        page = out[fmt]
        assert "text in photo 101-wb.jpg" in page, fmt
        assert "GPS coordinates in photo 110-b.jpg" in page, fmt
        assert "https://x.com/drtest/status/101" in page, fmt
        assert "https://x.com/drtest/status/110" in page, fmt
        assert "14 found, 11 analysed" in page, fmt
        assert "113-bomb.png" in page, fmt
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    checks = {(r["check"], r["post_url"]) for r in rows if r.get("post_url")}
    assert ("content.patient-identifiers", "https://x.com/drtest/status/101") in checks
    assert ("content.photo-location", "https://x.com/drtest/status/110") in checks


@needs_engines
def test_no_barcode_content_nor_masked_text_in_any_report(x_run):
    for fmt, page in x_run["outputs"].items():
        assert BARCODE not in page, fmt
        # the text read from the photo is masked like any other evidence
        assert "00482913" not in page and "Linden" not in page, fmt


@needs_engines
def test_photos_are_never_extracted_and_the_cache_is_private(x_run):
    root = x_run["root"]
    added = sorted(p.name for p in root.rglob("*"))
    new = set(added) - set(x_run["before"])
    assert not [n for n in new if n.endswith((".jpg", ".png", ".mp4"))]
    cache = x_run["home"] / ".local" / "share" / "auditor" / "media-cache.sqlite"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert BARCODE.encode() not in cache.read_bytes()
    # ONNX Runtime's telemetry (a device id under the cache folder, events sent out) is off
    for folder in (x_run["env"]["XDG_CACHE_HOME"], x_run["home"] / ".cache"):
        assert not (Path(folder) / "Microsoft").exists()


@needs_engines
def test_the_second_audit_reads_only_new_photos(x_run):
    again = run_cli(
        "scan", x_run["archive"], "-f", "json", "-q", "--fail-on", "none", env_extra=x_run["env"]
    )
    doc = json.loads(again.stdout)
    cov = doc["coverage"]["sources"][0]["photos"]
    assert cov["analysed"] == 11 and cov["cached"] == 11
    assert {f["fingerprint"] for f in doc["findings"]} == {
        f["fingerprint"] for f in x_run["doc"]["findings"]
    }


def test_no_media_skips_the_stage(x_run):
    got = run_cli(
        "scan",
        x_run["archive"],
        "-f",
        "text",
        "--no-media",
        "-q",
        "--fail-on",
        "none",
        env_extra=x_run["env"],
    )
    assert "photos: 14 not analysed (--no-media); 1 attached video not analysed" in got.stdout
    assert "photo-location" not in got.stdout and "text in photo" not in got.stdout
    # the photos were not looked at, so their findings from the runs before are not resolved
    assert "no longer found" not in got.stdout


def _audit(path: Path, protected_facts=()) -> dict:
    from auditor.reports.document import build

    with MediaStage(workers=1) as stage:
        result = engine.run(
            [path], config_mod.Config(), discover(), media=stage, protected_facts=protected_facts
        )
    return build(result)


def test_without_the_media_extra_location_is_still_read(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "missing", lambda: tuple(engines.ENGINE_PACKAGES))
    doc = _audit(x_archive(tmp_path / "x.zip"))
    cov = doc["coverage"]["sources"][0]["photos"]
    # the truncated JPEG's header is whole: only decoding its pixels would fail
    assert cov["location_only"] == 12 and cov["analysed"] == 0
    assert cov["missing_engines"] == ["text", "barcodes", "faces"]
    posts = by_post(doc)
    assert posts["110"][0]["check"] == "content.photo-location"
    assert not any("text_in_photo" in kinds(f) for fs in posts.values() for f in fs)
    from auditor.reports.sections import photo_lines

    (line, *rest) = photo_lines(cov)
    assert "12 photos not analysed for text, codes or people: install the media extra" in line


def test_a_protected_place_is_critical(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "missing", lambda: tuple(engines.ENGINE_PACKAGES))
    doc = _audit(x_archive(tmp_path / "x.zip"), protected_facts=("40.71280, -74.00600",))
    posts = by_post(doc)
    assert posts["107"][0]["severity"] == "critical"
    assert "of a place among your protected facts" in posts["107"][0]["title"]
    assert posts["110"][0]["severity"] == "medium"


def test_an_unusable_cache_is_named_and_the_audit_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "missing", lambda: tuple(engines.ENGINE_PACKAGES))
    blocked = tmp_path / "no-dir"
    blocked.write_text("a file where the cache's folder should be")
    stage = MediaStage(workers=1, cache=MediaCache(blocked / "media-cache.sqlite"))
    assert "the media cache cannot be used" in (stage.cache.problem or "")
    archive = Archive(x_archive(tmp_path / "x.zip"))
    imp_posts = [p for p in engine.open_source(archive.path, discover()).posts if p.media]
    facts, cov = stage.run(archive, imp_posts, "x.zip")
    assert cov.location_only == 12 and facts["110"][0].gps == (25.7617, -80.1918)


# --- a Facebook export ----------------------------------------------------------------------


@needs_engines
def test_a_facebook_export_with_photos(tmp_path):
    root = facebook_export(tmp_path, "2024")
    posts_file = (
        root / "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
    )
    media = root / "your_facebook_activity/posts/media/ward"
    media.mkdir(parents=True)
    (media / "board.jpg").write_bytes(whiteboard(angle=-6))
    (media / "home.jpg").write_bytes(plain(3, gps=(51.5007, -0.1246)))
    (media / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")

    def post(ts, text, uri):
        return {
            "timestamp": ts,
            "data": [{"post": text}],
            "attachments": [{"data": [{"media": {"uri": uri}}]}],
        }

    posts = json.loads(posts_file.read_text())
    posts += [
        post(1710000000, "Long shift on the ward", "posts/media/ward/board.jpg"),
        post(1710000100, "Home at last", "posts/media/ward/home.jpg"),
        post(1710000200, "Timelapse", "posts/media/ward/clip.mp4"),
    ]
    posts_file.write_text(json.dumps(posts))
    doc = _audit(root)
    found = {f["post"]["id"]: f for f in doc["findings"] if f.get("post")}
    board = found["1710000000:2"]
    assert board["check"] == "content.patient-identifiers"
    assert "text in photo board.jpg" in {e["label"] for e in board["evidence"]}
    home = found["1710000100:3"]
    assert home["check"] == "content.photo-location" and "On Facebook" in home["remediation"]
    cov = next(s for s in doc["coverage"]["sources"] if s["platform"] == "facebook")["photos"]
    assert cov["found"] == 2 and cov["videos"] == 1 and cov["analysed"] == 2
    # through the CLI, as a user runs it: the second run reads the photos from the cache
    for fmt in ("text", "markdown", "csv", "html"):
        got = run_cli("scan", root, "-f", fmt, "-q", "--fail-on", "none")
        assert got.returncode in (0, 3), got.stderr
        assert "content.photo-location" in got.stdout, fmt
        if fmt != "csv":
            assert "text in photo board.jpg" in got.stdout, fmt
            assert "2 found, 2 analysed" in got.stdout and "1 attached video" in got.stdout, fmt


def test_cache_rows_are_by_content_and_analyser(tmp_path):
    cache = MediaCache(tmp_path / "m.sqlite")
    cache.put("abc", "1+text", {"text": "x"})
    cache.commit()
    assert cache.get("abc", "1+text") == {"text": "x"}
    assert cache.get("abc", "1+") is None  # another set of engines reads the photo again
    cache.close()
    assert stat.S_IMODE(os.stat(tmp_path / "m.sqlite").st_mode) == 0o600


def test_progress_reports_photos(tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "missing", lambda: tuple(engines.ENGINE_PACKAGES))

    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    stage = MediaStage(workers=1, progress=Progress(stream=out, delay=0.0))
    archive = Archive(x_archive(tmp_path / "x.zip"))
    with_media = [p for p in engine.open_source(archive.path, discover()).posts if p.media]
    stage.run(archive, with_media, "x.zip")
    stage.close()
    assert re.search(r"x\.zip: photos: \[[#.]{20}\] \d+/14 photos, [\d.]+ photos/s", out.getvalue())


def test_the_test_extra_installs_the_media_engines():
    import tomllib

    from conftest import ROOT

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert set(extras["media"]) <= set(extras["test"])  # so CI runs the engines' tests
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "auditor.media" in data["packages"] and "*.toml" in data["package-data"]["auditor.media"]
