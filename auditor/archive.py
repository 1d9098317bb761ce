"""Read-only access to what the user gave us: a zip, an unzipped folder, or a single file.

Nothing is ever extracted to disk or written back. Members are streamed; a member whose path
escapes the archive or whose declared size is absurd is refused with a message, not read.
"""

from __future__ import annotations

import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from auditor.errors import InputError
from auditor.model import SourceError

# A real 2024 X archive's tweets.js is a few hundred MB; JSON compresses about 10-30 to one.
MAX_MEMBER_BYTES = 16 * 1024**3
# A tar.gz has no index: listing it inflates it all, so a bomb is stopped by its total size.
MAX_TAR_BYTES = 32 * 1024**3
MAX_RATIO = 200
RATIO_APPLIES_ABOVE = 256 * 1024**2


class Archive:
    """A read-only tree of named members, whatever the container."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[SourceError] = []
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._tar: tarfile.TarFile | None = None
        self._members: dict[str, tarfile.TarInfo] = {}
        self._names: list[str] = []
        if not path.exists():
            raise InputError(str(path), "no such file or folder: check the path")
        if not path.is_dir() and not path.is_file():
            # a FIFO, a device or a socket: opening it could block for ever
            raise InputError(str(path), "not a regular file or folder: give the export itself")
        if path.is_dir():
            self.kind = "folder"
            self._names = sorted(self._walk(path))
        elif zipfile.is_zipfile(path):
            self.kind = "zip"
            self._open_zip()
        elif path.name.lower().endswith((".tar.gz", ".tgz", ".tar")):
            self.kind = "tar"
            self._open_tar()
        elif path.suffix.lower() == ".zip":
            raise InputError(
                str(path),
                "not a readable zip (truncated or corrupt download): download the archive again",
            )
        else:
            self.kind = "file"
            self._names = [path.name]

    def _open_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(
                str(self.path),
                f"not a readable zip ({exc}): download the archive again",
            ) from exc
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename.replace("\\", "/")
            if _escapes(name):
                self.problems.append(
                    SourceError(
                        f"{self.path}!{info.filename}",
                        "member path leaves the archive ('..' or absolute): skipped",
                    )
                )
                continue
            self._infos[name] = info
        self._names = sorted(self._infos)

    def _open_tar(self) -> None:
        try:
            # held open for the archive's life, closed by close()
            self._tar = tarfile.open(self.path, "r:*")  # noqa: SIM115
            while (info := self._tar.next()) is not None:
                if self._tar.offset > MAX_TAR_BYTES:
                    self.problems.append(
                        SourceError(
                            str(self.path),
                            f"unpacks to over {MAX_TAR_BYTES >> 30} GB: the rest was not read",
                        )
                    )
                    break
                if not info.isfile():
                    continue  # links and devices are never followed
                name = info.name.replace("\\", "/").removeprefix("./")
                if _escapes(name):
                    self.problems.append(
                        SourceError(
                            f"{self.path}!{info.name}",
                            "member path leaves the archive ('..' or absolute): skipped",
                        )
                    )
                    continue
                self._members[name] = info
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            if not self._members:
                raise InputError(
                    str(self.path),
                    f"not a readable tar archive ({_one_line(exc)}): download the archive again",
                ) from exc
            self.problems.append(
                SourceError(
                    str(self.path),
                    f"cut short ({_one_line(exc)}): only the members before it read",
                )
            )
        self._names = sorted(self._members)

    @staticmethod
    def _walk(root: Path) -> Iterator[str]:
        for dirpath, _dirs, files in os.walk(root):
            rel = Path(dirpath).relative_to(root).as_posix()
            for f in files:
                try:
                    regular = stat.S_ISREG(os.stat(os.path.join(dirpath, f)).st_mode)
                except OSError:
                    continue
                if regular:  # pipes and devices in the tree are never opened
                    yield f if rel == "." else f"{rel}/{f}"

    def names(self) -> list[str]:
        return self._names

    def display(self, name: str) -> str:
        """How to name a member in a message: `archive.zip!data/tweets.js`."""
        if self.kind in ("zip", "tar"):
            return f"{self.path}!{name}"
        if self.kind == "folder":
            return str(self.path / name)
        return str(self.path)

    def size(self, name: str) -> int:
        if self._zip is not None:
            return self._infos[name].file_size
        if self._tar is not None:
            return self._members[name].size
        return self._file(name).stat().st_size

    def open(self, name: str) -> BinaryIO:
        """A binary stream of the member; raises InputError naming it when it cannot be read."""
        if self._zip is not None:
            info = self._infos.get(name)
            if info is None:
                raise InputError(self.display(name), "not in the archive")
            if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > RATIO_APPLIES_ABOVE
                and info.file_size > max(info.compress_size, 1) * MAX_RATIO
            ):
                raise InputError(
                    self.display(name),
                    f"declares {info.file_size:,} bytes uncompressed from "
                    f"{info.compress_size:,}: refused as a likely zip bomb; "
                    "download the archive again",
                )
            if info.flag_bits & 0x1:
                raise InputError(
                    self.display(name),
                    "password-protected: request the export again without a password",
                )
            try:
                return self._zip.open(info)
            except (
                zipfile.BadZipFile,
                NotImplementedError,
                OSError,
                ValueError,
                RuntimeError,
            ) as exc:
                raise InputError(self.display(name), f"cannot be read ({exc})") from exc
        if self._tar is not None:
            member = self._members.get(name)
            if member is None:
                raise InputError(self.display(name), "not in the archive")
            if member.size > MAX_MEMBER_BYTES:
                raise InputError(
                    self.display(name), f"declares {member.size:,} bytes: refused as too large"
                )
            stream = self._tar.extractfile(member)
            if stream is None:
                raise InputError(self.display(name), "cannot be read")
            return stream
        try:
            return self._file(name).open("rb")
        except OSError as exc:
            raise InputError(self.display(name), f"cannot be read ({exc.strerror})") from exc

    def _file(self, name: str) -> Path:
        return self.path if self.kind == "file" else self.path / name

    def find(self, basename: str) -> list[str]:
        """Members with this file name anywhere in the tree, shortest path first."""
        hits = [n for n in self._names if posixpath.basename(n) == basename]
        return sorted(hits, key=lambda n: (n.count("/"), n))

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._tar is not None:
            self._tar.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _one_line(exc: BaseException) -> str:
    """tarfile's "r:*" error lists each method it tried, one per line: keep them on one."""
    first, *rest = str(exc).splitlines() or [""]
    if not rest:
        return first
    return f"{first.rstrip(':')}: " + "; ".join(line.strip().lstrip("- ") for line in rest)


def _escapes(name: str) -> bool:
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name.split("/")
