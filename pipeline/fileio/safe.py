"""Side files opened like a careful tool: never through a symlink, only when regular, read with a size limit.

The runner's side files (lock, manifest, journal, staging files, checkpoints) and the report's pages are files
the product itself creates beside the user's output. A symlink planted at such a path (or a FIFO, a device)
must neither have its target truncated or overwritten, nor hang or flood the run: :func:`open_side` opens with
``O_NOFOLLOW`` and ``O_NONBLOCK`` and refuses anything but a regular file, and :func:`read_side` reads at most
a limit. Standard library only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# os.open flags: never follow a symlink at the last component, never block on a FIFO, never adopt a terminal
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BASE = _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
# largest side file read back whole (a manifest, a digest cache): far above any the product writes
SIDE_FILE_LIMIT = 64 << 20


class SideFileError(OSError):
    """A side file's path holds something else than a regular file (a symlink, a FIFO, a device, a folder)."""


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refuse(path: Path, mode: int) -> SideFileError:
    return SideFileError(f"{path} is {kind_of(mode)}, not a regular file; the product never writes through it — "
                         f"move it away (or choose another output.path)")


def check_regular(path: Path) -> bool:
    """True when ``path`` is a regular file (not followed if a symlink), False when nothing is there; raises
    :class:`SideFileError` for anything else."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise _refuse(path, mode)
    return True


def open_side(path: Path, flags: int, mode: int = 0o644) -> int:
    """``os.open`` of a side file without following a symlink; the file must be regular. The descriptor is
    blocking again once checked (O_NONBLOCK only keeps a FIFO from hanging the open)."""
    try:
        fd = os.open(path, flags | _BASE, mode)
    except OSError:
        if os.path.islink(path):  # O_NOFOLLOW refused it (ELOOP)
            raise _refuse(path, os.lstat(path).st_mode) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(path, info.st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_side_file(path: Path, how: str):  # noqa: ANN201 - a binary file object
    """A side file as a binary file object: ``how`` is 'rb', 'wb' (created or cut), 'ab' (created, appended) or
    'r+b' (created when missing, not cut)."""
    flags = {"rb": os.O_RDONLY, "wb": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
             "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND, "r+b": os.O_RDWR | os.O_CREAT}[how]
    fd = open_side(path, flags)
    return os.fdopen(fd, "rb+" if how == "r+b" else how)


def read_side(path: Path, limit: int = SIDE_FILE_LIMIT) -> bytes | None:
    """The bytes of a side file; None when there is none. Raises :class:`SideFileError` when it is not a regular
    file or holds more than ``limit`` bytes."""
    try:
        fd = open_side(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise SideFileError(f"{path} is larger than {limit:,} bytes, far more than the product writes there; "
                            f"move it away (or choose another output.path)")
    return data


def read_side_head(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of a side file; None when there is none. Raises :class:`SideFileError` when it is
    not a regular file."""
    try:
        fd = open_side(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read(size)
