"""The pipeline: German documents → segments → English translation → summary (map-reduce when long).

One code path serves the notebook (`summarize`, `Pipeline`) and the runner (local or Ray): both call
:meth:`Pipeline.process` on a group of documents, whose segments are translated together in batches.
The notebook side (texts in, results out, the progress bar, the cached pipeline) is in :mod:`pipeline.api`.

Importing this module does not import torch or transformers: the backends load them with the models.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from pipeline.batching import groups_of, growing_groups
from pipeline.config import Config, load_config
from pipeline.inputs.texts import documents_from_texts
from pipeline.models.factory import failure_watches, load_key, load_models, reuse_or_load
from pipeline.models.generation import (
    Generated,
    generate_all,
)
from pipeline.progress import (
    TRANSLATION_SHARE,
    DocumentBar,
    ProgressCallback,
    batch_reporter,
    loading_line,
    tqdm_class,
)
from pipeline.quality.flags import document_flags
from pipeline.results import Document, DocumentResult, ResultList, Segment, Summary
from pipeline.text.segment import chunk_texts, document_sentences, plan_segments
from pipeline.text.sentences import paragraph_spans

log = logging.getLogger(__name__)

ConfigLike = Config | str | Path | Mapping[str, Any] | None

# Map-reduce stops after this many rounds; each round shrinks the text several-fold, so this is never
# reached by real summarizers (it guards against a summarizer configured to write more than it reads).
MAX_ROUNDS = 8


# Below these, a language guess is too weak to act on (skip or summarize without translation).
MIN_LANGUAGE_CONFIDENCE = 0.5
MIN_LANGUAGE_LETTERS = 40


ROLES = ("translation", "summarization")


def _model_names(config: Config, roles: Sequence[str]) -> list[str]:
    """What the loading line names: each model to load, once."""
    return list(dict.fromkeys(getattr(config, role).model for role in roles))


def _show(progress: bool | None, config: Config) -> bool:
    return config.runtime.progress if progress is None else progress


def _uncertain(guess: Any, text: str) -> bool:
    letters = sum(ch.isalpha() for ch in text[:2000])
    return guess.confidence < MIN_LANGUAGE_CONFIDENCE or letters < MIN_LANGUAGE_LETTERS


@dataclass
class _Work:
    """Mutable per-document state while a group is processed."""

    doc: Document
    language: str | None = None
    translate: bool = True
    source: str | None = None  # language to translate from (multilingual translators); None = the default
    pieces: list[tuple[str, int]] = field(default_factory=list)  # (source, paragraph)
    outputs: list[Generated] = field(default_factory=list)
    english: str | None = None
    units: list[str] = field(default_factory=list)
    summary: Summary | None = None
    result: DocumentResult | None = None
    warnings: list[str] = field(default_factory=list)


class Pipeline:
    """Both models, loaded once; call it on German text(s) or use :meth:`process` on documents.

    >>> pipe = Pipeline("configs/default.yaml", runtime={"device": "cpu"})
    >>> result = pipe("Microsoft kündigte am Dienstag eigene KI-Modelle an.")
    >>> result.summary
    """

    def __init__(self, config: ConfigLike = None, *, progress: bool | None = None, **overrides: Any):
        """Load both models for ``config`` (a YAML path, a mapping or a Config) with ``overrides`` in the YAML's
        sections. ``progress``: the "loading models" line while they load; None means ``runtime.progress``."""
        tqdm_class()  # before transformers is imported (by the config's generation check or the models)
        self.config = load_config(config, overrides=overrides or None)
        with loading_line(_model_names(self.config, ROLES), enabled=_show(progress, self.config)):
            # one instruct checkpoint named for both stages is loaded once (models.factory.load_models)
            self.translator, self.summarizer = load_models(self.config)
        # the runner's side files keeping finished batches of very large groups (pipeline.runner.checkpoint)
        self.checkpoints: Any = None
        self._watches = failure_watches(self.config)

    def with_config(self, config: ConfigLike = None, *, progress: bool | None = None, **overrides: Any) -> Pipeline:
        """A Pipeline for another config (None: this one's) with ``overrides``, sharing this one's loaded
        models wherever the settings that loading depends on (:func:`load_key`) are unchanged: batch size,
        generation settings, language options and the rest take effect without loading anything.
        This pipeline is left as it was. ``progress``: as for the constructor, when a model loads again.

        >>> faster = pipe.with_config(runtime={"batch_size": 8}, translation={"generation": {"num_beams": 1}})
        """
        tqdm_class()
        resolved = load_config(self.config if config is None else config, overrides=overrides or None)
        new = copy.copy(self)
        new.config = resolved
        loading = [role for role in ROLES if load_key(getattr(self.config, role), self.config.runtime, role)
                   != load_key(getattr(resolved, role), resolved.runtime, role)]
        with loading_line(_model_names(resolved, loading), enabled=_show(progress, resolved)):
            new.translator = reuse_or_load(self.translator, self.config, resolved, "translation")
            new.summarizer = reuse_or_load(self.summarizer, self.config, resolved, "summarization")
        new._watches = failure_watches(resolved)  # fresh: a reloaded model is not judged by its predecessor
        return new

    @overload
    def __call__(self, texts: str, *, progress: bool | None = None) -> DocumentResult: ...

    @overload
    def __call__(self, texts: Iterable[str], *, progress: bool | None = None) -> ResultList: ...

    def __call__(self, texts: str | Iterable[str], *, progress: bool | None = None) -> DocumentResult | ResultList:
        """Summarize one text (→ one :class:`DocumentResult`) or several (→ a :class:`ResultList`, same order);
        other types raise TypeError (see :func:`~pipeline.inputs.sources.documents_from_texts`).

        ``progress``: a progress bar over the documents; None shows one for more than one document unless
        ``runtime.progress`` is false.
        """
        if isinstance(texts, str):
            return list(results_for(self, [texts], progress=progress))[0]
        return ResultList(results_for(self, texts, progress=progress))

    def stream(self, texts: Iterable[str] | Mapping[Any, str], *, progress: bool = False) -> Iterator[DocumentResult]:
        """Results one by one, in input order, for any iterable of texts (a generator, a pandas Series, a
        ``datasets`` column): it is read a group at a time, so memory stays bounded by ``runtime.group_size``.
        The first group is one text, and each next one twice as large up to ``runtime.group_size``, so the first
        results come early. Ids as for a call (a Series' index, a mapping's keys, else "0", "1", ...). No
        progress bar unless ``progress=True`` (the caller sees each result arrive)."""
        return results_for(self, texts, progress=bool(progress), growing=True)

    def describe(self) -> dict[str, Any]:
        """Model provenance and runtime facts for the manifest."""
        return {"translation": self.translator.describe(), "summarization": self.summarizer.describe()}

    # -- one group of documents ------------------------------------------------------------------------

    def process(self, documents: Sequence[Document], *,
                on_progress: ProgressCallback | None = None) -> list[DocumentResult]:
        """Process a group of documents together; one result per document, in order. Never raises for
        a bad document: its result says what happened. ``on_progress`` is called after every batch with the
        share of the group's work done (0 to 1; translation first, then the summaries)."""
        work = [self._triage(doc) for doc in documents]
        self._translate([w for w in work if w.result is None and w.translate], on_progress)
        self._summarize([w for w in work if w.result is None], on_progress)
        results = [w.result if w.result is not None else self._finish(w) for w in work]
        if on_progress is not None:
            on_progress(1.0)
        return results

    def _triage(self, doc: Document) -> _Work:
        w = _Work(doc, warnings=list(doc.warnings))
        if doc.error is not None or doc.text is None:
            w.result = DocumentResult(doc.id, "error", error=doc.error or "no text", warnings=doc.warnings)
            return w
        if not doc.text.strip():
            reason = "empty document" if not doc.text else "document contains only whitespace"
            w.result = DocumentResult(doc.id, "skipped", error=reason, warnings=doc.warnings)
            return w
        options = self.config.language
        if options.detect:
            from pipeline.text.language import detect_language  # py3langid brings numpy: not on `import pipeline`

            guess = detect_language(doc.text)
            w.language = guess.language
            if _uncertain(guess, doc.text):
                # too little text to tell (a headline, "Hallo"): treat it as the German the pipeline expects
                w.warnings.append(f"language uncertain ({guess.language!r}, confidence {guess.confidence:.2f}); "
                                  f"treated as German")
                return w
            if guess.mixed:
                shares = ", ".join(f"{lang} {share:.0%}" for lang, share in guess.shares[:3])
                w.warnings.append(f"mixed languages ({shares}); handled as {guess.language!r}, the majority")
            if guess.language == "en":
                if options.english == "error":
                    w.result = self._refuse(w, "error", "document is in English (language.english: error)")
                elif options.english == "skip_translation":
                    w.translate = False
                    w.pieces = [(doc.text[a:b], p) for a, b, p in document_sentences(doc.text, language="en")]
                    w.outputs = [Generated(src) for src, _ in w.pieces]
                    w.english = "\n\n".join(doc.text[a:b] for a, b in paragraph_spans(doc.text))
                    w.units = [src for src, _ in w.pieces]
                    w.warnings.append("English document: summarized without translation")
                elif self._reads("en"):
                    w.source = "en"  # language.english: translate, by a translator that reads English
            elif self._reads(guess.language):
                w.source = guess.language  # a multilingual translator reads it: translated from it
            elif guess.language != "de":
                why = f"document language is {guess.language!r}, {self._unreadable()}"
                if options.other == "skip":
                    w.result = self._refuse(w, "skipped", f"{why} (language.other: skip)")
                elif options.other == "error":
                    w.result = self._refuse(w, "error", f"{why} (language.other: error)")
                else:
                    w.warnings.append(f"document language is {guess.language!r}; translated as German anyway")
        return w

    def _reads(self, language: str) -> bool:
        """A multilingual translator reads ``language`` and documents are translated from their own language
        (translation.source_language null)."""
        return self.config.translation.source_language is None and language in self.translator.source_languages

    def _unreadable(self) -> str:
        if self.translator.source_languages:
            return f"which the translation model {self.config.translation.model!r} has no language code for"
        return "not German"

    def _source_code(self, w: _Work) -> str | None:
        """The translator's code for the document's source language (multilingual translators only)."""
        return self.translator.source_code(w.source) if w.translate else None

    @staticmethod
    def _refuse(w: _Work, status: str, reason: str, **produced: Any) -> DocumentResult:
        """A skipped/error result keeping what was known and produced (language, warnings, segments...)."""
        return DocumentResult(w.doc.id, status, error=reason, language=w.language, warnings=tuple(w.warnings),
                              **produced)

    def _translate(self, work: list[_Work], on_progress: ProgressCallback | None = None) -> None:
        translator = self.translator
        options = self.config.translation
        for w in work:
            try:
                # sentences by the rules of the document's own language (German's when unknown or undetected)
                # an instruct translator gets whole paragraphs (sentences packed up to its budget): more context
                pack = options.pack_sentences or translator.conventions.family.instruct
                planned = plan_segments(w.doc.text, count=translator.count_tokens, budget=translator.max_input_tokens,
                                        pack=pack, language=w.language or "de")
            except Exception as exc:  # a document that cannot be segmented must not stop the group
                log.exception("segmenting document %s failed", w.doc.id)
                w.result = self._refuse(w, "error", f"segmentation failed: {type(exc).__name__}: {exc}")
                continue
            w.pieces = [(w.doc.text[p.start:p.end], p.paragraph) for p in planned]
        active = [w for w in work if w.result is None]
        sources = [src for w in active for src, _ in w.pieces]
        # multilingual translators read each segment in its document's language (NLLB: a code token per row)
        languages = ([w.source for w in active for _ in w.pieces]
                     if translator.source_languages else None)
        runtime = self.config.runtime
        checkpoint = self.checkpoints.open("translation", sources) if self.checkpoints is not None else None
        try:
            outputs = generate_all(translator, sources, batch_size=runtime.batch_size,
                                   max_batch_tokens=runtime.max_batch_tokens, checkpoint=checkpoint,
                                   on_batch=batch_reporter(on_progress, 0.0, TRANSLATION_SHARE, len(sources)),
                                   watch=self._watches["translation"], languages=languages)
        finally:
            if checkpoint is not None:
                checkpoint.close()
        position = 0
        for w in active:
            w.outputs = outputs[position:position + len(w.pieces)]
            position += len(w.pieces)
            failed = [i for i, o in enumerate(w.outputs) if o.text is None]
            if failed:
                first = w.outputs[failed[0]].error
                w.result = self._refuse(w, "error", f"{len(failed)} of {len(w.pieces)} segments could not be "
                                                    f"translated (segment {failed[0]}: {first})",
                                        segments=self._segments(w))
                continue
            for i, out in enumerate(w.outputs):
                if not out.text:
                    w.warnings.append(f"segment {i}: the translation is empty")
                elif not out.finished:
                    w.warnings.append(f"segment {i}: translation stopped at the length limit "
                                      f"({out.tokens} tokens) and may be incomplete")
            if not any(out.text for out in w.outputs):
                w.result = self._refuse(w, "error", f"the translator returned an empty translation for all "
                                                    f"{len(w.outputs)} segment(s); nothing to summarize",
                                        segments=self._segments(w), translated_from=self._source_code(w))
                continue
            paragraphs: dict[int, list[str]] = {}
            for (_, para), out in zip(w.pieces, w.outputs, strict=True):
                paragraphs.setdefault(para, []).append(out.text)
            w.english = "\n\n".join(" ".join(parts) for parts in paragraphs.values())
            w.units = [out.text for out in w.outputs if out.text]

    @staticmethod
    def _segments(w: _Work) -> tuple[Segment, ...]:
        # for an English document (not translated) each segment's "translation" is its own text
        return tuple(Segment(src, out.text, para) for (src, para), out in zip(w.pieces, w.outputs, strict=True))

    def _summarize(self, work: list[_Work], on_progress: ProgressCallback | None = None) -> None:
        """Map-reduce: chunk each text to the summarizer's budget, summarize the chunks of all documents in
        shared batches, and repeat on the joined chunk summaries until one chunk is left."""
        summarizer = self.summarizer
        runtime = self.config.runtime
        state = {id(w): (w.units or [w.english or ""], 0, 0) for w in work}  # units, rounds, first-round chunks
        pending = list(work)
        first_round = True
        while pending:
            chunk_lists: list[list[str]] = []
            for w in pending:
                units, _, _ = state[id(w)]
                try:
                    chunks = chunk_texts(units, count=summarizer.count_tokens, budget=summarizer.max_input_tokens)
                except Exception as exc:
                    log.exception("chunking document %s failed", w.doc.id)
                    w.result = self._refuse(w, "error", f"chunking for the summarizer failed: {exc}")
                    chunks = []
                chunk_lists.append([" ".join(c) for c in chunks])
            inputs = [text for chunks in chunk_lists for text in chunks]
            # the first round moves the progress; later rounds are short
            report = batch_reporter(on_progress if first_round else None, TRANSLATION_SHARE, 1.0, len(inputs))
            first_round = False
            outputs = generate_all(summarizer, inputs, batch_size=runtime.batch_size,
                                   max_batch_tokens=runtime.max_batch_tokens, on_batch=report,
                                   watch=self._watches["summarization"])
            position, still = 0, []
            for w, chunks in zip(pending, chunk_lists, strict=True):
                outs = outputs[position:position + len(chunks)]
                position += len(chunks)
                if w.result is not None:
                    continue
                units, rounds, first = state[id(w)]
                rounds, first = rounds + 1, first or len(chunks)
                failed = [o for o in outs if o.text is None]
                if failed:
                    w.result = self._refuse(w, "error", f"summarization failed: {failed[0].error}",
                                            translation=w.english if w.translate else None,
                                            segments=self._segments(w))
                    continue
                summaries = [o.text for o in outs]
                if len(chunks) == 1 and not summaries[0]:
                    w.result = self._refuse(w, "error", self._empty_summary(),
                                            translation=w.english if w.translate else None,
                                            segments=self._segments(w), translated_from=self._source_code(w))
                elif len(chunks) == 1:
                    w.summary = Summary(summaries[0], chunks=first, rounds=rounds)
                elif rounds >= MAX_ROUNDS or self._total_tokens(summaries) >= self._total_tokens(units):
                    w.result = self._refuse(w, "error", f"chunk summaries did not get shorter than their input "
                                                        f"after {rounds} round(s); check summarization.generation")
                else:
                    state[id(w)] = (summaries, rounds, first)
                    still.append(w)
            pending = still

    @staticmethod
    def _check_summary_language(w: _Work, text: str) -> None:
        """An instruct summarizer follows a prompt, and may answer in the input's language: warn when the
        summary is clearly not English."""
        from pipeline.text.language import detect_language

        guess = detect_language(text)
        if guess.language != "en" and not _uncertain(guess, text):
            w.warnings.append(f"the summary is not in English (detected {guess.language!r}, confidence "
                              f"{guess.confidence:.2f}); check summarization.prompt")

    def _empty_summary(self) -> str:
        conventions = self.summarizer.conventions
        if conventions.family.task_prefix:
            hint = f"for {conventions.family.title} check summarization.prefix (in use: {conventions.prefix!r})"
        else:
            hint = "check summarization.generation"
        return f"the summarizer returned an empty summary; {hint}"

    def _total_tokens(self, texts: Sequence[str]) -> int:
        return sum(self.summarizer.count_tokens(texts))

    def _finish(self, w: _Work) -> DocumentResult:
        summary = w.summary
        assert summary is not None
        if summary.rounds > 1:
            w.warnings.append(f"long document: summarized in {summary.chunks} chunks over {summary.rounds} rounds")
        segments = self._segments(w)
        if self.summarizer.conventions.family.instruct and self.config.language.detect:
            self._check_summary_language(w, summary.text)
        flags = document_flags(segments, w.english or "", summary.text)
        return DocumentResult(
            w.doc.id, "ok", language=w.language, translated_from=self._source_code(w), translation=w.english,
            summary=summary.text,
            segments=segments, summarization=summary, warnings=tuple(w.warnings), flags=flags)


def results_for(pipe: Pipeline, texts: Any, *, progress: bool | None = None,
                growing: bool = False) -> Iterator[DocumentResult]:
    """Results in input order, one group (``runtime.group_size`` texts; with ``growing`` the first groups smaller,
    see :meth:`Pipeline.stream`) processed at a time, with the document bar (see :func:`summarize` for
    ``progress``). Backs ``Pipeline.__call__`` and ``.stream``."""
    _, documents = documents_from_texts(texts)  # refused types raise TypeError here, at the call
    total = len(texts) if isinstance(texts, Sized) else None
    if progress is None:
        progress = pipe.config.runtime.progress and (total is None or total > 1)
    return _results(pipe, documents, total, bool(progress), growing)


def _results(pipe: Pipeline, documents: Iterator[Document], total: int | None, progress: bool, growing: bool
             ) -> Iterator[DocumentResult]:
    bar = DocumentBar(total, enabled=progress)
    size = pipe.config.runtime.group_size
    try:
        for group in growing_groups(documents, size) if growing else groups_of(documents, size):
            results = pipe.process(group, on_progress=bar.group(len(group)))
            bar.finish_group()
            yield from results
    finally:
        bar.close()
