"""Engines: how the runner turns groups of documents into records, in this process or on a Ray cluster."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from pipeline.config import Config
from pipeline.core import Pipeline
from pipeline.models.generation import ModelBrokenError
from pipeline.progress import ProgressCallback
from pipeline.results import Document, DocumentResult
from pipeline.runner.checkpoint import Checkpoints

log = logging.getLogger(__name__)


# what the runner hands an engine to move its bar: a group's size in, that group's progress callback out
GroupProgress = Callable[[int], ProgressCallback | None]


class Engine(Protocol):
    """What the runner uses of an engine (:class:`LocalEngine`, :class:`~pipeline.runner.ray_engine.RayEngine`)."""

    def describe(self) -> dict[str, Any]:
        """Engine name and model provenance for the manifest."""
        ...

    def map_groups(self, groups: Iterable[Sequence[Document]], progress: GroupProgress | None = None
                   ) -> Iterator[list[dict[str, Any]]]:
        """The records of each group, in order. ``progress(size)``, called as a group of ``size`` documents
        starts, gives the callback that takes the share of it done after each batch (an engine whose groups run
        elsewhere may never call it: the runner's bar then moves as groups come back)."""
        ...

    def keep_checkpoints(self, checkpoints: Checkpoints) -> None:
        """Keep finished translation batches of giant groups in ``checkpoints`` (an engine may ignore it)."""
        ...

    def close(self) -> None:
        """Release workers and models."""
        ...


def process_group_safely(pipeline: Pipeline, documents: Sequence[Document], *,
                         on_progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    """Records for a group; an unexpected failure is retried document by document, then recorded.
    ``on_progress`` gets the share of the group done after each batch."""
    try:
        return [r.to_record() for r in pipeline.process(documents, on_progress=on_progress)]
    except ModelBrokenError:
        raise  # the model, not these documents: stop the run
    except Exception:
        log.exception("processing a group of %d documents failed; retrying one by one", len(documents))
    records = []
    for doc in documents:
        try:
            records.extend(r.to_record() for r in pipeline.process([doc]))
        except ModelBrokenError:
            raise
        except Exception as exc:
            log.exception("document %s failed", doc.id)
            records.append(DocumentResult(doc.id, "error", error=f"internal error: {type(exc).__name__}: "
                                                                   f"{exc}").to_record())
    return records


class LocalEngine:
    """Runs groups in this process, one after another."""

    def __init__(self, config: Config):
        self.pipeline = Pipeline(config)

    def describe(self) -> dict[str, Any]:
        return {"engine": "local", **self.pipeline.describe()}

    def map_groups(self, groups: Iterable[Sequence[Document]], progress: GroupProgress | None = None
                   ) -> Iterator[list[dict[str, Any]]]:
        for group in groups:
            yield process_group_safely(self.pipeline, group,
                                       on_progress=progress(len(group)) if progress is not None else None)

    def keep_checkpoints(self, checkpoints: Checkpoints) -> None:
        self.pipeline.checkpoints = checkpoints

    def close(self) -> None:
        pass
