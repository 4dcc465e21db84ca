"""What the console shows: the pipeline's own progress bar, and third-party bars and notes kept quiet.

The document bar (:class:`DocumentBar`) is ``tqdm.auto``'s: a widget in Jupyter when ipywidgets is
installed, a text bar on stderr otherwise (in a terminal, or in a kernel without ipywidgets, where tqdm
would warn ``IProgress not found``: that warning is dropped, the text bar is the answer). It counts
documents and moves after every batch of segments, by the share of its group's work the batch completed,
so a single long document moves the bar too.

Loading a model with transformers 5 prints a ``Loading weights`` bar per model and notes that need no
action (``Please make sure the generation config includes forced_bos_token_id``). :func:`quiet_loading`
switches transformers' and huggingface_hub's progress bars off and their logging to errors while a model
loads, through their public switches, and restores them afterwards. With the ``pipeline`` logger at DEBUG
(the runner's ``-v``) it leaves everything as it is.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator
from typing import Any

log = logging.getLogger(__name__)

# Share of a group's progress given to translation; the summarizer's first round gets the rest (later
# map-reduce rounds are short and advance nothing until the group is done).
TRANSLATION_SHARE = 0.5

ProgressCallback = Callable[[float], None]


def tqdm_class() -> Any:
    """``tqdm.auto.tqdm``, imported without TqdmWarning: in a Jupyter kernel without ipywidgets it is the
    text bar, silently. Call it before anything imports transformers or huggingface_hub (they import
    ``tqdm.auto`` too, and the warning comes with the first import)."""
    from tqdm.std import TqdmWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm
    return tqdm


@contextlib.contextmanager
def quiet_loading() -> Iterator[None]:
    """Third-party progress bars off and third-party logging at ERROR while models load (see the module
    docstring); everything as it was afterwards, also when loading fails."""
    if logging.getLogger("pipeline").isEnabledFor(logging.DEBUG):
        yield
        return
    tqdm_class()
    from huggingface_hub import utils as hub_utils
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hub_bars = not hub_utils.are_progress_bars_disabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()  # transformers' and huggingface_hub's
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
        if hub_bars:
            hub_utils.enable_progress_bars()
        elif not hub_utils.are_progress_bars_disabled():
            hub_utils.disable_progress_bars()


def batch_reporter(report: ProgressCallback | None, start: float, end: float,
                   total: int) -> Callable[[int], None] | None:
    """An ``on_batch`` callback for :func:`pipeline.models.generation.generate_all` that reports the share of a
    group done, going from ``start`` to ``end`` as the ``total`` inputs are generated; None without a report."""
    if report is None or total <= 0:
        return None
    done = 0

    def on_batch(count: int) -> None:
        nonlocal done
        done += count
        report(start + (end - start) * min(done, total) / total)

    return on_batch


class DocumentBar:
    """A progress bar over documents (``total`` None when the input's length is unknown), fed group by group.

    ``group(size)`` gives the callback for the next group: it takes the share of that group done (0 to 1)
    and moves the bar by that share of ``size`` documents; ``finish_group()`` then counts the group as done.
    """

    def __init__(self, total: int | None, *, enabled: bool, desc: str = "documents"):
        self.enabled = enabled
        self.done = 0  # documents of finished groups
        self.position = 0.0  # documents done, fractions of the current group included
        self._size = 0
        self._bar = None
        if enabled:
            # the position is fractional (groups move per batch): shown with one decimal
            fmt = ("{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total_fmt} [{elapsed}<{remaining}]"
                   if total is not None else "{desc}: {n:.1f} [{elapsed}]")
            self._bar = tqdm_class()(total=total, desc=desc, unit="doc", dynamic_ncols=True, bar_format=fmt)

    def group(self, size: int) -> ProgressCallback | None:
        self._size = size
        if self._bar is None:
            return None
        return self._move

    def _move(self, share: float) -> None:
        position = self.done + self._size * max(0.0, min(share, 1.0))
        if position > self.position:
            self._advance(position)

    def finish_group(self) -> None:
        self.done += self._size
        self._advance(float(self.done))

    def _advance(self, position: float) -> None:
        if self._bar is not None:
            self._bar.update(position - self.position)
        self.position = position

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
