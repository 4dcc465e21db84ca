"""The Ray engine: the runner's groups of documents, processed by a pool of actors on a Ray cluster.

Each actor is a :class:`GroupWorker`: a callable class that builds :class:`~pipeline.core.Pipeline` once
(both models loaded once per actor, on the actor's GPU when it has one) and turns a group of documents into
records with exactly :func:`~pipeline.core.process_group_safely`, the local engine's code. The groups are
formed by the driver (the runner's ``groups_of``), so every batch, and thus every record, is the local
engine's, byte for byte. :class:`RayEngine` hands the groups to the actors and yields their records in input
order, which is what the runner's writer and its resume (whole groups) need.

Why a plain actor pool and not Ray Data (``from_items(groups).map_batches(GroupWorker, concurrency=N)``):

* Bounded memory needs windows. ``from_items`` takes a list, so feeding millions of documents means one
  dataset per window of groups, and every dataset execution starts its own actor pool: both models would be
  reloaded for every window. A custom datasource must be partitioned up front, which our streaming readers
  (Hugging Face streaming datasets, resume's skip of the first groups) cannot do without a second reader.
* Failures must become records. Ray Data's actor pool restarts actors and retries their tasks without limit
  by default (``max_restarts=-1``, ``max_task_retries=-1``): a document that crashes its worker (a segfault,
  the OOM killer) is retried forever. With a limit, the failure fails the whole dataset, or, with
  ``max_errored_blocks``, its block is dropped: a hole in the output, not an error record.
* Here the driver keeps at most ``WINDOW_PER_ACTOR`` groups per actor (running or finished ahead of a slower
  one), gives each actor one group at a time (a crash is blamed on the group that caused it, not on a group
  queued behind it), retries a failed group ``ray.max_retries`` times on the restarted actor, then each of
  its documents alone, and records a document that still fails as an ``error`` record. The run goes on.

``GroupWorker`` stays a callable class with the map_batches shape (models loaded in ``__init__``, work in
``__call__``), so it would serve a Ray Data pipeline unchanged.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.config import Config, ConfigError
from pipeline.core import Pipeline
from pipeline.models.generation import ModelLoadError
from pipeline.results import Document, DocumentResult
from pipeline.runner.checkpoint import Checkpoints
from pipeline.runner.engines import process_group_safely
from pipeline.runner.fingerprint import fingerprint, workers_differences

log = logging.getLogger(__name__)

# Groups the driver holds per actor: the one running plus those finished ahead of a slower group.
WINDOW_PER_ACTOR = 4
# Seconds to wait before asking again whether a restarting actor is back.
PING_RETRY_S = 0.5
# Where models are looked up: passed on to the actors, whose processes on other nodes do not have the
# driver's environment (HF_HUB_OFFLINE=1 must hold there too).
HUB_ENVIRONMENT = ("HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")

INSTALL_HINT = ("runtime.engine 'ray' needs Ray, which is not installed: pip install '.[ray]' "
                "(or pip install 'ray[data]>=2.40'); or set runtime.engine: local")


def import_ray() -> Any:
    """The ``ray`` module, or a :class:`ConfigError` saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return ray


class GroupWorker:
    """Both models, loaded once in the actor's process; called on a group of documents, returns its records."""

    def __init__(self, config: Config):
        # a load failure is kept and raised by every call: raised here, it would reach the driver only as
        # text inside Ray's "actor died" error; raised by a call, the driver gets the original exception
        self.load_error: Exception | None = None
        self.pipeline: Pipeline | None = None
        try:
            self.pipeline = Pipeline(config, progress=False)  # no loading line in actors (Ray forwards their stderr)
        except (ModelLoadError, ConfigError) as exc:
            self.load_error = exc

    def __call__(self, group: Sequence[Document]) -> list[dict[str, Any]]:
        """The group's records, in order (the local engine's code)."""
        return process_group_safely(self._loaded(), group)

    def process(self, group: Sequence[Document]) -> list[dict[str, Any]]:
        """Actor method for ``__call__`` (Ray actor handles expose named methods)."""
        return self(group)

    def describe(self) -> dict[str, Any]:
        """The models' provenance and runtime facts, as loaded in this actor."""
        return self._loaded().describe()

    def ping(self) -> bool:
        """Answers once the actor is up (after a restart: once the models are loaded again)."""
        return True

    def _loaded(self) -> Pipeline:
        if self.load_error is not None:
            raise self.load_error
        assert self.pipeline is not None
        return self.pipeline


@dataclass(eq=False)
class _Task:
    """Documents sent to one actor call: a whole group, or one document of a group that kept failing."""

    documents: list[Document]
    attempts: int = 0
    running: bool = False
    records: list[dict[str, Any]] | None = None


@dataclass(eq=False)
class _Slot:
    """One group of the input; its records are yielded once all of its tasks are done."""

    tasks: list[_Task]

    def done(self) -> bool:
        return all(task.records is not None for task in self.tasks)

    def records(self) -> list[dict[str, Any]]:
        return [record for task in self.tasks for record in task.records or ()]


class RayEngine:
    """Runs groups on a pool of Ray actors; an :class:`~pipeline.runner.engines.Engine` like ``LocalEngine``.

    Reuses a Ray already initialized in this process; otherwise connects to ``ray.address`` or, when it is
    None, starts a local Ray (shut down again by :meth:`close`). ``worker`` is the actor class (a subclass
    of :class:`GroupWorker`; tests pass one that crashes on purpose).
    """

    def __init__(self, config: Config, *, worker: type[GroupWorker] = GroupWorker):
        self._ray = ray = import_ray()
        self.config = config
        options = config.ray
        self._owns_ray = not ray.is_initialized()
        self._actors: list[Any] = []
        if self._owns_ray:
            if options.address is None:
                # 'local' always starts a new instance, never joins one found on this machine
                ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False)
            else:
                ray.init(address=options.address)
        else:
            log.info("using the Ray instance already initialized in this process")
        try:
            resources = ray.cluster_resources()
            gpus = float(resources.get("GPU", 0))
            self.num_gpus = options.num_gpus if options.num_gpus is not None else (1.0 if gpus else 0.0)
            self.num_cpus = options.num_cpus
            self.num_actors = options.num_actors or (
                max(1, int(gpus // self.num_gpus)) if gpus and self.num_gpus else 1)
            self._check_resources(resources)
            env = {name: os.environ[name] for name in HUB_ENVIRONMENT if name in os.environ}
            actor_class = ray.remote(num_cpus=self.num_cpus, num_gpus=self.num_gpus, max_restarts=-1,
                                     max_task_retries=0, runtime_env={"env_vars": env} if env else None)(worker)
            self._actors = [actor_class.remote(config) for _ in range(self.num_actors)]
            log.info("starting %d Ray actor(s) (%g CPU, %g GPU each); each loads both models",
                     self.num_actors, self.num_cpus, self.num_gpus)
            described = self._get_original(ray, [actor.describe.remote() for actor in self._actors])
            differ = workers_differences([fingerprint(d, {}) for d in described])
            if differ:  # their records would mix (e.g. one on a GPU in bfloat16, one on a CPU in float32)
                raise ConfigError(f"the Ray actors load the models differently ({'; '.join(differ[:4])}); set "
                                  f"runtime.device and runtime.dtype (or compute_type) explicitly, or give every "
                                  f"actor the same resources (ray.num_gpus)")
            self._description = {
                "engine": "ray",
                "address": options.address,
                "started_local_ray": self._owns_ray and options.address is None,
                "actors": self.num_actors,
                "num_cpus": self.num_cpus,
                "num_gpus": self.num_gpus,
                "max_retries": options.max_retries,
                "cluster": {"nodes": sum(1 for node in ray.nodes() if node.get("Alive")),
                            "CPU": resources.get("CPU", 0), "GPU": gpus},
                "actor_devices": [d["translation"]["device"] for d in described],
                **described[0],
            }
        except BaseException:
            self.close()
            raise

    def _check_resources(self, resources: dict[str, float]) -> None:
        for name, per_actor, key in (("CPU", self.num_cpus, "num_cpus"), ("GPU", self.num_gpus, "num_gpus")):
            needed, available = self.num_actors * per_actor, float(resources.get(name, 0))
            if needed <= available:
                continue
            message = (f"ray.num_actors {self.num_actors} x ray.{key} {per_actor:g} needs {needed:g} {name}(s) "
                       f"but the Ray cluster has {available:g}")
            if self._owns_ray and self.config.ray.address is None:
                raise ConfigError(f"{message}; lower ray.num_actors or ray.{key}")
            log.warning("%s; the actors wait until the cluster has them (e.g. from its autoscaler)", message)

    @staticmethod
    def _get_original(ray: Any, refs: list[Any]) -> list[Any]:
        """``ray.get``, re-raising a model or config error from an actor as the original exception."""
        try:
            return ray.get(refs)
        except ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, (ModelLoadError, ConfigError)):
                raise cause from None
            raise

    def describe(self) -> dict[str, Any]:
        """Engine placement and the models as loaded in the first actor (for the manifest)."""
        return self._description

    def map_groups(self, groups: Iterable[list[Document]], progress: Any = None) -> Iterator[list[dict[str, Any]]]:
        """The records of each group, in input order, as soon as the group and those before it are done.
        ``progress`` is not called: groups run in the actors, and the runner's bar moves as they come back."""
        ray = self._ray
        pending = iter(groups)
        slots: deque[_Slot] = deque()
        idle = deque(self._actors)
        running: dict[Any, tuple[_Slot, _Task, Any]] = {}  # call -> (slot, task, actor)
        pinging: dict[Any, Any] = {}  # ping call -> actor that failed and may be restarting
        window = WINDOW_PER_ACTOR * len(self._actors)
        exhausted = False
        while True:
            while idle:  # one call per actor: a crash is then blamed on the group that caused it
                found = next(((s, t) for s in slots for t in s.tasks if t.records is None and not t.running), None)
                if found is None:
                    if exhausted or len(slots) >= window:
                        break
                    group = next(pending, None)
                    if group is None:
                        exhausted = True
                        break
                    slots.append(_Slot([_Task(list(group))]))
                    continue
                slot, task = found
                actor = idle.popleft()
                task.running = True
                running[actor.process.remote(task.documents)] = (slot, task, actor)
            while slots and slots[0].done():
                yield slots.popleft().records()
            if exhausted and not slots:
                return
            if not running and not pinging:
                raise RuntimeError("every Ray actor has died for good, so the run cannot go on; rerun the same "
                                   "command to continue after the last complete group")
            ready, _ = ray.wait([*running, *pinging], num_returns=1)
            for ref in ready:
                if ref in pinging:
                    self._on_ping(ref, pinging, idle)
                    continue
                slot, task, actor = running.pop(ref)
                task.running = False
                try:
                    task.records = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    cause = getattr(exc, "cause", None)
                    if isinstance(cause, (ModelLoadError, ConfigError)):
                        # a restarted actor could not load the models: stop (rerunning resumes) rather
                        # than turn every remaining document into an error record
                        raise cause from None
                    self._on_failure(slot, task, exc)
                    pinging[actor.ping.remote()] = actor  # back to work once (re)started
                else:
                    idle.append(actor)

    def _on_ping(self, ref: Any, pinging: dict[Any, Any], idle: deque[Any]) -> None:
        ray = self._ray
        actor = pinging.pop(ref)
        try:
            ray.get(ref)
        except ray.exceptions.ActorUnavailableError:
            time.sleep(PING_RETRY_S)  # restarting: ask again
            pinging[actor.ping.remote()] = actor
        except ray.exceptions.RayError as exc:
            log.error("a Ray actor is gone for good (%s); %d left", _first_line(exc), len(pinging) + len(idle))
        else:
            idle.append(actor)

    def _on_failure(self, slot: _Slot, task: _Task, exc: BaseException) -> None:
        """Retry the task, then its documents one by one, then record each failing document as an error."""
        task.attempts += 1
        retries = self.config.ray.max_retries
        log.warning("a Ray actor failed on %d document(s) starting with %r (attempt %d of %d): %s",
                    len(task.documents), task.documents[0].id, task.attempts, retries + 1, _first_line(exc))
        if task.attempts <= retries:
            return
        if len(task.documents) > 1:
            log.warning("retrying those %d documents one by one", len(task.documents))
            index = slot.tasks.index(task)
            slot.tasks[index:index + 1] = [_Task([doc]) for doc in task.documents]
            return
        doc = task.documents[0]
        reason = f"the Ray worker failed {task.attempts} time(s) on this document: {self._reason(exc)}"
        task.records = [DocumentResult(doc.id, "error", error=reason, warnings=doc.warnings).to_record()]

    def _reason(self, exc: BaseException) -> str:
        """A short, stable reason (no process ids or addresses, so identical runs write identical records)."""
        errors = self._ray.exceptions
        if isinstance(exc, errors.OutOfMemoryError) or "memory monitor" in str(exc).lower():
            return "its process was killed for lack of memory"
        if isinstance(exc, errors.RayActorError):
            return "its process died (crashed, exited or was killed, e.g. out of memory)"
        if isinstance(exc, errors.RayTaskError):
            cause = getattr(exc, "cause", None)
            if cause is not None:
                return f"{type(cause).__name__}: {cause}"
        return type(exc).__name__

    def keep_checkpoints(self, checkpoints: Checkpoints) -> None:
        """Ray actors keep no giant-group checkpoints (a group is redone whole on another actor)."""

    def close(self) -> None:
        """Stop the actors, and the local Ray if this engine started it."""
        ray = self._ray
        for actor in self._actors:
            try:
                ray.kill(actor)
            except Exception:  # already dead
                log.debug("could not kill a Ray actor", exc_info=True)
        self._actors = []
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
            self._owns_ray = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
