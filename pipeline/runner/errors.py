"""The runner's exit statuses, and the one line it prints for a run that failed before or outside a document."""

from __future__ import annotations

import errno

from pipeline.config import ConfigError
from pipeline.fileio.safe import SideFileError
from pipeline.inputs.sources import InputError
from pipeline.models.generation import ModelLoadError
from pipeline.runner.lock import OutputLockedError
from pipeline.runner.manifest import ManifestError
from pipeline.runner.output import OutputError, ResumeError

EXIT_OK, EXIT_DOCUMENT_ERRORS, EXIT_USAGE = 0, 1, 2


# Errors that stop a run before any document is processed (or that the runner itself hits): exit status 2
# with a one-line message.
USAGE_ERRORS = (ConfigError, InputError, ResumeError, ModelLoadError, OutputError, ManifestError,
                OutputLockedError, SideFileError)


def usage_message(exc: BaseException) -> str:
    kinds = ((ConfigError, "config error"), (InputError, "input error"), (ResumeError, "cannot resume"),
             (ModelLoadError, "model error"), (OutputError, "output error"), (ManifestError, "manifest error"),
             (OutputLockedError, "output locked"), (SideFileError, "side file"))
    kind = next((name for cls, name in kinds if isinstance(exc, cls)), "error")
    return f"error ({kind}): {exc}"


def os_error_message(exc: OSError, output: str | None) -> str:
    """One line for a file-system failure of the runner: the path and what to do."""
    path = exc.filename or output or "the output"
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (f"error (disk full): cannot write {path}: {reason}; free some space (or raise the limit) and run "
                f"the same command again: it continues where it stopped")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"error (permission): cannot write {path}: {reason}; fix its permissions or choose another "
                f"output.path")
    return f"error (file system): {path}: {reason}; fix the cause and run the same command again"
