"""The media stage of an audit: after a source's posts are read, each attached photo is read
from the export (in memory), looked up in the cache by its content hash, and otherwise
analysed by worker processes, one per core. What it saw goes back onto the posts as
`PhotoFacts`, for the post checks to judge again, with the photos' text beside the caption."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from auditor.archive import Archive
from auditor.media import analyse, engines, location, photo
from auditor.media.cache import MediaCache
from auditor.media.settings import settings
from auditor.model import MediaCoverage, PhotoFacts, Post
from auditor.progress import Progress

# Fewer photos than this are analysed in this process: a worker's start and model load
# (about a second) would cost more than it saves.
POOL_FROM = 8


class MediaStage:
    """One per audit: the cache stays open across its sources, and closes with `close`."""

    def __init__(
        self,
        enabled: bool = True,
        progress: Progress | None = None,
        cache: MediaCache | None = None,
        workers: int | None = None,
    ) -> None:
        self.enabled = enabled
        self.progress = progress or Progress(enabled=False)
        self._cache = cache
        self.workers = workers or max(1, min(os.cpu_count() or 1, 4))
        self.notes: list[str] = []

    @property
    def cache(self) -> MediaCache:
        if self._cache is None:
            self._cache = MediaCache()
            if self._cache.problem:
                self.notes.append(self._cache.problem)
        return self._cache

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            if self._cache.problem and self._cache.problem not in self.notes:
                self.notes.append(self._cache.problem)

    def __enter__(self) -> MediaStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self,
        archive: Archive,
        posts: Sequence[Post],
        label: str,
        protected_facts: Sequence[str] = (),
    ) -> tuple[dict[str, tuple[PhotoFacts, ...]], MediaCoverage | None]:
        """The photos' facts per post id, and what the stage did (None: no photo attached).
        The protected facts written as coordinates are the places a photo must not show."""
        cfg = settings()
        names: dict[str, None] = {}
        videos = 0
        present = set(archive.names())
        for post in posts:
            for name in post.media:
                if name not in present:
                    continue  # named by the post, left out of the export
                if name.lower().endswith(cfg.video_suffixes):
                    videos += 1
                else:
                    names.setdefault(name)
        if not names and not videos:
            return {}, None
        if not self.enabled:
            return {}, MediaCoverage(found=len(names), videos=videos, disabled=True)
        absent = engines.missing()
        results, skipped, cached = self._analyse(archive, list(names), label, absent)
        facts = _facts(posts, results, location.protected_places(protected_facts))
        location_only = len(absent) == len(engines.ENGINE_PACKAGES)
        coverage = MediaCoverage(
            found=len(names),
            analysed=0 if location_only else len(results),
            cached=cached,
            location_only=len(results) if location_only else 0,
            skipped=tuple(skipped),
            videos=videos,
            missing_engines=absent,
        )
        return facts, coverage

    def _analyse(
        self, archive: Archive, names: list[str], label: str, absent: tuple[str, ...]
    ) -> tuple[dict[str, dict[str, Any]], list[str], int]:
        version = analyse.version()
        any_engine = len(absent) < len(engines.ENGINE_PACKAGES)
        results: dict[str, dict[str, Any]] = {}
        skipped: list[str] = []
        hits: set[str] = set()
        by_digest: dict[str, list[str]] = defaultdict(list)
        todo: list[tuple[photo.PhotoBytes, dict[str, Any]]] = []
        self.progress.start(f"{label}: photos")
        done = 0

        def tick() -> None:
            self.progress.update(done, unit="photos", total=len(names))

        def skip(name: str, why: str) -> None:
            skipped.append(f"{archive.display(name)}: {why}")

        pool: cf.ProcessPoolExecutor | None = None
        pool_tried = self.workers < 2
        pending: dict[cf.Future, tuple[photo.PhotoBytes, dict[str, Any]]] = {}
        try:
            for name in names:
                try:
                    got = photo.read(archive, name)
                except photo.PhotoSkipped as exc:
                    skip(name, str(exc))
                    done += 1
                    tick()
                    continue
                by_digest[got.digest].append(name)
                if len(by_digest[got.digest]) > 1:
                    done += 1
                    tick()
                    continue  # the same picture attached twice: judged once
                hit = self.cache.get(got.digest, version)
                if hit is not None:
                    hits.add(got.digest)
                    results[got.digest] = hit
                    done += 1
                    tick()
                    continue
                try:
                    header = _header(got.data)
                except photo.PhotoSkipped as exc:
                    skip(name, str(exc))
                    done += 1
                    tick()
                    continue
                if not any_engine:
                    results[got.digest] = header
                    self.cache.put(got.digest, version, header)
                    done += 1
                    tick()
                    continue
                todo.append((got, header))
                if len(todo) < POOL_FROM and pending == {} and pool is None:
                    continue
                if not pool_tried:
                    pool, pool_tried = _pool(self.workers), True
                for item in todo:
                    pending[_submit(pool, item[0].data)] = item
                todo = []
                while len(pending) >= 2 * self.workers:
                    done += self._collect(pending, results, skip, version)
                    tick()
            for item in todo:  # too few for a pool, or the pool could not start
                pending[_submit(pool, item[0].data)] = item
            while pending:
                done += self._collect(pending, results, skip, version)
                tick()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            self.cache.commit()
            self.progress.finish()
        by_name = {n: results[d] for d, ns in by_digest.items() if d in results for n in ns}
        cached = sum(len(by_digest[d]) for d in hits)  # photos, a picture attached twice too
        return by_name, skipped, cached

    def _collect(
        self,
        pending: dict[cf.Future, tuple[photo.PhotoBytes, dict[str, Any]]],
        results: dict[str, dict[str, Any]],
        skip: Any,
        version: str,
    ) -> int:
        finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            got, header = pending.pop(fut)
            try:
                seen = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker killed by a bad photo, say
                skip(got.name, f"could not be analysed ({type(exc).__name__}: {exc})")
                continue
            if "skipped" in seen:
                skip(got.name, seen["skipped"])
                continue
            result = {**header, **seen}
            results[got.digest] = result
            self.cache.put(got.digest, version, result)
        return len(finished)


def _facts(
    posts: Sequence[Post],
    results: dict[str, dict[str, Any]],
    places: Sequence[tuple[float, float]],
) -> dict[str, tuple[PhotoFacts, ...]]:
    """Each post's PhotoFacts, with how many of the account's other posts have a photo at the
    same place, and whether that place is protected."""
    radius = settings().cluster_metres
    points: dict[str, list[tuple[str, tuple[float, float]]]] = defaultdict(list)
    for post in posts:
        for name in post.media:
            r = results.get(name)
            if r is not None and r.get("gps"):
                points[post.account].append((post.id, (r["gps"][0], r["gps"][1])))
    near: dict[tuple[str, tuple[float, float]], int] = {}
    for pts in points.values():
        near.update(zip(pts, location.neighbours(pts, radius), strict=True))
    out: dict[str, tuple[PhotoFacts, ...]] = {}
    for post in posts:
        facts = []
        for name in post.media:
            r = results.get(name)
            if r is None:
                continue
            gps = (r["gps"][0], r["gps"][1]) if r.get("gps") else None
            taken = r.get("taken_at")
            facts.append(
                PhotoFacts(
                    name=name,
                    text=r.get("text", ""),
                    codes=int(r.get("codes", 0)),
                    faces=int(r.get("faces", 0)),
                    body=bool(r.get("body", False)),
                    gps=gps,
                    taken_at=datetime.fromisoformat(taken) if taken else None,
                    near=near.get((post.id, gps), 0) if gps else 0,
                    protected_place=gps is not None
                    and any(location.metres(gps, p) <= radius for p in places),
                )
            )
        if facts:
            out[post.id] = tuple(facts)
    return out


def _header(data: bytes) -> dict[str, Any]:
    """Location and capture time, from the header alone; PhotoSkipped for no image or a bomb."""
    image = photo.open_image(data)
    gps, taken = location.read(image)
    return {"gps": list(gps) if gps else None, "taken_at": taken.isoformat() if taken else None}


def _pool(workers: int) -> cf.ProcessPoolExecutor | None:
    try:
        # spawn: a fresh interpreter per worker, never a fork of this process's threads
        return cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=engines.load,
        )
    except (OSError, ValueError, NotImplementedError):  # no processes here: analyse in this one
        return None


def _submit(pool: cf.ProcessPoolExecutor | None, data: bytes) -> cf.Future:
    if pool is not None:
        try:
            return pool.submit(analyse.analyse, data)
        except RuntimeError:
            pass
    fut: cf.Future = cf.Future()
    try:
        fut.set_result(analyse.analyse(data, threads=os.cpu_count() or 1))
    except Exception as exc:  # noqa: BLE001 - recorded against the photo, as in a worker
        fut.set_exception(exc)
    return fut
