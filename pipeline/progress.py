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
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
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
    """A progress bar over documents (``total`` None when the input's length is unknown), moving after every
    batch: it shows the documents finished (``documents 3/7``), the share of the work done (finished documents
    plus the done share of the current group), the elapsed time, the time left and the rate in documents per
    second. ``initial`` documents count as done already (a resumed run).

    ``group(size)`` gives the callback for the group about to be processed: it takes the share of that group
    done (0 to 1) and moves the bar by that share of ``size`` documents; ``finish_group(size)`` counts a group
    of ``size`` documents as done (an engine working on several groups at once only calls this one).
    """

    def __init__(self, total: int | None, *, enabled: bool, desc: str = "documents", initial: int = 0):
        self.enabled = enabled
        self.total = total
        self.desc = desc
        self.done = initial  # documents of finished groups
        self.position = float(initial)  # documents done, the current group's share included
        self._size = 0
        self._bar = None
        if enabled:
            # the position is fractional (a group moves it batch by batch), so the label counts whole documents
            fmt = ("{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}, {rate_fmt}]"
                   if total is not None else "{desc} [{elapsed}, {rate_fmt}]")
            # refreshed on every move: moves come once per batch, seconds apart on a CPU
            self._bar = tqdm_class()(total=total, initial=initial, desc=self._label(), unit="doc",
                                     dynamic_ncols=True, bar_format=fmt, mininterval=0, miniters=1)

    def _label(self) -> str:
        return f"{self.desc} {self.done}/{self.total}" if self.total is not None else f"{self.desc} {self.done}"

    def group(self, size: int) -> ProgressCallback | None:
        self._size = size
        if self._bar is None:
            return None
        return self._move

    def _move(self, share: float) -> None:
        position = self.done + self._size * max(0.0, min(share, 1.0))
        if position > self.position:
            self._advance(position)

    def finish_group(self, size: int | None = None) -> None:
        self.done += self._size if size is None else size
        self._size = 0
        if self._bar is not None:
            self._bar.set_description_str(self._label(), refresh=False)
        self._advance(max(float(self.done), self.position))

    def _advance(self, position: float) -> None:
        if self._bar is not None:
            self._bar.update(position - self.position)
        self.position = position

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextlib.contextmanager
def loading_line(models: Sequence[str], *, enabled: bool) -> Iterator[None]:
    """One line while models load, before any document bar: ``loading models: A, B …``; once loaded the same
    line says ``models loaded: A, B (12.3 s)``. Nothing when not ``enabled``; on a failure the line is removed
    (the error says what happened). A text line on stderr, or a widget in Jupyter, like the document bar."""
    if not enabled or not models:
        yield
        return
    names = ", ".join(models)
    bar = tqdm_class()(total=None, desc=f"loading models: {names} …", bar_format="{desc}", leave=True,
                       mininterval=0)
    bar.refresh()
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        bar.leave = False
        bar.close()
        raise
    bar.set_description_str(f"models loaded: {names} ({time.perf_counter() - started:.1f} s)", refresh=True)
    bar.close()
