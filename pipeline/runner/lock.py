"""One writer per output: an exclusive OS lock on ``<output>.lock``, held for the whole run.

The lock is the operating system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows), so it is released when
its process ends however it ends: a lock file left by a killed run is simply taken over. The file holds the
holder's pid, which a second run names when it refuses. Local file systems only (NFS may not honour flock).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

from pipeline.fileio.safe import open_side, read_side
from pipeline.runner.layout import lock_path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


class OutputLockedError(RuntimeError):
    """Another run holds the output's lock."""




class OutputLock:
    """``with OutputLock(output):`` — raises :class:`OutputLockedError` at once if another process holds it."""

    def __init__(self, output: Path):
        self.output = output
        self.path = lock_path(output)
        self._fd: int | None = None

    def acquire(self) -> None:
        while True:
            fd = open_side(self.path, os.O_RDWR | os.O_CREAT)  # a symlink or FIFO here: refused
            if not _try_lock(fd):
                os.close(fd)
                raise OutputLockedError(
                    f"{self.output} is being written by another run ({self._holder()}); wait for it to finish "
                    f"or stop it, or choose another output.path")
            # the file may have been removed (a holder releasing) between our open and our lock: the lock
            # then guards nothing, so start again on the file now at the path
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def _holder(self) -> str:
        for _ in range(20):  # the holder writes its pid just after taking the lock
            with contextlib.suppress(OSError):
                pid = (read_side(self.path, 64) or b"").decode("ascii", "replace").strip()
                if pid:
                    return f"pid {pid}"
            time.sleep(0.05)
        return "pid unknown"

    def release(self) -> None:
        if self._fd is None:
            return
        # removed while still held, so a process that opened the old file notices (see acquire)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
