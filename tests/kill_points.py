"""The runner killed at an exact point: ``python tests/kill_points.py N COUNT_FILE RUN_ARGS...``.

The kill points are "just before an ``os.replace``" and "just after an ``os.fsync``", counted from 1 in the
order the run reaches them; at point ``N`` the process ends at once (``os._exit``: no cleanup, as a SIGKILL).
``N = 0`` kills nowhere. Either way the number of points reached is written to ``COUNT_FILE`` (at exit, or just
before the kill), so a test first counts the points of an uninterrupted run, then kills at each.
``KILL_MIN_SEGMENTS``, when set, lowers the giant-group checkpoint threshold (a small document gets
``.partial/`` files).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

KILL_AT = int(sys.argv[1])
COUNT_FILE = Path(sys.argv[2])
_reached = 0
_replace, _fsync = os.replace, os.fsync


def _point() -> None:
    global _reached
    _reached += 1
    if _reached == KILL_AT:
        COUNT_FILE.write_text(str(_reached))
        os._exit(137)


def _killing_replace(src, dst, *args, **kwargs):
    _point()
    return _replace(src, dst, *args, **kwargs)


def _killing_fsync(fd):
    _fsync(fd)
    _point()


os.replace, os.fsync = _killing_replace, _killing_fsync

if os.environ.get("KILL_MIN_SEGMENTS"):
    from pipeline.runner import checkpoint

    checkpoint.Checkpoints.__init__.__kwdefaults__["min_segments"] = int(os.environ["KILL_MIN_SEGMENTS"])

from pipeline.run import main  # noqa: E402

try:
    status = main(sys.argv[3:])
finally:
    COUNT_FILE.write_text(str(_reached))
sys.exit(status)
