"""Every supported model family through the whole pipeline (transformers backend, tiny random-weight models):
coverage, input limits, map-reduce, determinism, documents in other languages, and the families' conventions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import ConfigError
from pipeline.core import Pipeline
from pipeline.models.factory import load_model
from pipeline.models.families import DETECTABLE, FAMILIES, UnknownFamily, identify, language_codes
from pipeline.models.generation import ModelLoadError
from pipeline.results import Document
from tests.conftest import FAST_SUMMARY, FAST_TRANSLATION, SEEDS, squash, tiny_config

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
FRENCH = (
    "La Banque centrale européenne a laissé son taux directeur inchangé jeudi, a annoncé sa présidente à "
    "Francfort. Les marchés s'attendaient à cette décision.\n\n"
    "L'inflation dans la zone euro a reculé en octobre, mais les prix de l'énergie restent élevés pour les "
    "ménages et les entreprises."
)
ITALIAN = (
    "La Banca centrale europea ha lasciato invariato il tasso di riferimento giovedì, ha annunciato la "
    "presidente a Francoforte. I mercati si aspettavano questa decisione.\n\n"
    "L'inflazione nell'area dell'euro è scesa in ottobre, ma i prezzi dell'energia restano alti per le "
    "famiglie e le imprese."
)
TRANSLATORS = ("nllb", "m2m100", "mbart50")
SUMMARIZERS = ("t5", "pegasus", "led")
# the pipeline tests decode greedily (the checkpoints' 4-8 beams cost minutes here; beam search is compared with
# stock generate in test_family_generation.py), without repeating a token: a random model tends to repeat the
# forced language code, which decodes to an empty translation (an error record, as it should be)
GREEDY = {"num_beams": 1, "no_repeat_ngram_size": 1}
GERMAN = ("Die Europäische Zentralbank ließ den Leitzins am Donnerstag unverändert, teilte sie in Frankfurt mit. "
          "Die Märkte hatten mit dieser Entscheidung gerechnet.")
FRENCH_CODE = {"nllb": "fra_Latn", "m2m100": "__fr__", "mbart50": "fr_XX"}
ITALIAN_CODE = {"nllb": "ita_Latn", "m2m100": "__it__", "mbart50": "it_IT"}


def _config(tiny_models: dict[str, Path], family_models: dict[str, Path], tmp_path: Path, *,
            translator: str | None = None, summarizer: str | None = None, short: bool = False, **sections: Any):
    suffix = "_short" if short else ""
    models = {"marian": tiny_models["marian" + suffix], "bart": tiny_models["bart" + suffix]}
    overrides: dict[str, Any] = dict(sections)
    for role, fast in (("translation", FAST_TRANSLATION), ("summarization", FAST_SUMMARY)):
        section = overrides.setdefault(role, {})
        section["generation"] = {**fast, **GREEDY, **section.get("generation", {})}
    if translator:
        name = translator + suffix if translator != "led" else translator
        overrides["translation"] = {"model": str(family_models[name]), **overrides.get("translation", {})}
    if summarizer:
        name = summarizer + suffix if summarizer != "led" else summarizer
        overrides["summarization"] = {"model": str(family_models[name]), **overrides.get("summarization", {})}
    return tiny_config(models, tmp_path, **overrides)


def _spy_inputs(model: Any) -> list[str]:
    """Record every input the pipeline hands ``model.generate_batch`` (the real method still runs)."""
    seen: list[str] = []
    real = model.generate_batch

    def spy(texts, **kwargs):
        seen.extend(texts)
        return real(texts, **kwargs)

    model.generate_batch = spy
    return seen


# -- the family table -------------------------------------------------------------------------------------


def test_identify_knows_each_family_by_model_type_and_tokenizer():
    assert identify("m2m_100", "NllbTokenizerFast", role="translation").name == "nllb"
    assert identify("m2m_100", "M2M100Tokenizer", role="translation").name == "m2m100"
    assert identify("t5", "T5Tokenizer", role="summarization").task_prefix
    assert identify("led", "LEDTokenizer", role="summarization").global_attention_first
    with pytest.raises(UnknownFamily, match="not an encoder-decoder.*Supported translation families: MarianMT"):
        identify("gpt2", "GPT2Tokenizer", role="translation", is_encoder_decoder=False)
    with pytest.raises(UnknownFamily, match="Pegasus model .* for summarization, not translation"):
        identify("pegasus", "PegasusTokenizer", role="translation")
    assert {f.role for f in FAMILIES if not f.instruct} == {"translation", "summarization"}
    assert {f.role for f in FAMILIES if f.instruct} == {"both"}  # prompted for either task
    assert identify("qwen2", "Qwen2Tokenizer", role="translation") is identify("qwen2", None, role="summarization")


def test_language_tables_cover_what_the_identifier_reports():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    classes = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes) - {"zxx"}
    assert classes == set(DETECTABLE)
    every = lambda code: True  # noqa: E731 - a tokenizer that knows every code
    nllb = language_codes("nllb", every)
    assert (nllb["de"], nllb["fr"], nllb["it"], nllb["en"]) == ("deu_Latn", "fra_Latn", "ita_Latn", "eng_Latn")
    assert language_codes("m2m100", every)["fr"] == "__fr__"
    assert language_codes("mbart", every)["it"] == "it_IT"
    assert "la" not in language_codes("mbart", every)  # no code, no entry
    assert language_codes("nllb", lambda code: code != "fra_Latn").get("fr") is None


# -- load time ---------------------------------------------------------------------------------------------


def _unknown_architecture(folder: Path, kind: str) -> Path:
    from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

    from scripts.tiny_families import FAMILY_BUILDERS

    FAMILY_BUILDERS["led"](folder)  # any tokenizer will do; the config decides
    for name in ("config.json", "generation_config.json", "model.safetensors"):
        (folder / name).unlink()
    if kind == "bert":
        model = BertModel(BertConfig(vocab_size=600, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=32))
    else:
        model = GPT2LMHeadModel(GPT2Config(vocab_size=600, n_embd=16, n_layer=1, n_head=2))
    model.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("kind", ["bert", "gpt2"])
def test_unknown_architecture_stops_at_load_time_listing_the_families(tiny_models, tmp_path, kind):
    from pipeline.run import main
    from tests.conftest import write_config

    folder = _unknown_architecture(tmp_path / kind, kind)
    config = tiny_config(tiny_models, tmp_path, summarization={"model": str(folder)})
    with pytest.raises(ModelLoadError, match=f"'{kind}'.*Supported summarization families: .*BART.*T5.*LED"):
        Pipeline(config)
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 2


def test_a_family_in_the_wrong_role_is_refused(tiny_models, family_models, tmp_path):
    config = _config(tiny_models, family_models, tmp_path, translator="pegasus")
    with pytest.raises(ModelLoadError, match="Pegasus .*not translation.*NLLB-200"):
        Pipeline(config)


def test_languages_a_model_cannot_use_are_config_errors(tiny_models, family_models, tmp_path):
    with pytest.raises(ConfigError, match="target_language.*has no code for 'la'"):
        Pipeline(_config(tiny_models, family_models, tmp_path, translator="mbart50",
                         translation={"target_language": "la"}))
    with pytest.raises(ConfigError, match="target_language.*'fr'.*single language pair"):
        Pipeline(tiny_config(tiny_models, tmp_path, translation={"target_language": "fr"}))


@pytest.mark.parametrize(("family", "limit"), [("nllb", 1024), ("m2m100", 1024), ("mbart50", 1024), ("t5", 512),
                                                ("pegasus", 1024), ("led", 16384)])
def test_input_limit_read_from_the_checkpoint(family_models, family, limit):
    config = tiny_config({"marian": family_models[family], "bart": family_models[family]}, Path("."))
    role = "translation" if family in TRANSLATORS else "summarization"
    model = load_model(getattr(config, role), config.runtime, role)
    assert model.max_input_tokens == limit
    if family != "led":
        short = load_model(getattr(tiny_config({"marian": family_models[family + "_short"],
                                                 "bart": family_models[family + "_short"]}, Path(".")), role),
                           config.runtime, role)
        assert short.max_input_tokens == 64


def test_t5_prefix_and_task_settings(family_models):
    config = tiny_config({"marian": family_models["t5"], "bart": family_models["t5"]}, Path("."),
                         summarization={"generation": {}})
    model = load_model(config.summarization, config.runtime, "summarization")
    assert model.conventions.prefix == "summarize: "
    # the prefix's tokens count toward the input limit
    assert model.count_tokens(["Revenue rose."]) == [len(model.tokenizer("summarize: Revenue rose.").input_ids)]
    # t5's generation_config has no summarization settings: task_specific_params supplies them
    assert (model.generation_config.num_beams, model.generation_config.no_repeat_ngram_size) == (4, 3)
    assert model.describe()["prefix"] == "summarize: "
    none = tiny_config({"marian": family_models["t5"], "bart": family_models["t5"]}, Path("."),
                       summarization={"prefix": "", "generation": {"num_beams": 2}})
    plain = load_model(none.summarization, none.runtime, "summarization")
    assert plain.conventions.prefix == "" and plain.generation_config.num_beams == 2


# -- the whole pipeline on every family --------------------------------------------------------------------


@pytest.mark.parametrize("family", [*TRANSLATORS, *SUMMARIZERS])
def test_whole_pipeline_on_each_family(tiny_models, family_models, tmp_path, family):
    """Short-limit variants (64 tokens; LED keeps 16,384): segments rejoin to the document, no segment or
    summarizer input over the model's limit, map-reduce where the English is longer than the window (never
    for LED), and identical results on a rerun."""
    role = {"translator": family} if family in TRANSLATORS else {"summarizer": family}
    pipe = Pipeline(_config(tiny_models, family_models, tmp_path, short=True, **role))
    translator, summarizer = pipe.translator, pipe.summarizer
    segments_in, chunks_in = _spy_inputs(translator), _spy_inputs(summarizer)
    texts = SEED_TEXTS[:1]
    results = pipe(texts)
    for text, result in zip(texts, results, strict=True):
        assert result.status == "ok", result.error
        assert squash("".join(s.source for s in result.segments)) == squash(text)
        assert result.summary
        over = summarizer.count_tokens([result.translation])[0] > summarizer.max_input_tokens
        if family == "led":  # a 16,384-token window: the whole document in one pass
            assert not over and (result.summarization.chunks, result.summarization.rounds) == (1, 1)
        elif family in SUMMARIZERS:  # the short variants' 64-token window: map-reduce
            assert over
        if over:
            assert result.summarization.chunks > 1 and result.summarization.rounds > 1
    assert max(translator.count_tokens(segments_in)) <= translator.max_input_tokens
    assert max(summarizer.count_tokens(chunks_in)) <= summarizer.max_input_tokens
    assert [r.to_record() for r in pipe(texts)] == [r.to_record() for r in results]
    assert pipe.describe()[("translation" if family in TRANSLATORS else "summarization")]["family"]["name"] == (
        "mbart" if family == "mbart50" else family)


@pytest.mark.parametrize("family", TRANSLATORS)
def test_french_and_italian_documents_are_translated_from_their_language(tiny_models, family_models, tmp_path,
                                                                         family):
    pipe = Pipeline(_config(tiny_models, family_models, tmp_path, translator=family))
    german, french, italian = pipe.process([Document("de", GERMAN), Document("fr", FRENCH),
                                            Document("it", ITALIAN)])
    assert (french.status, french.language, french.translated_from) == ("ok", "fr", FRENCH_CODE[family])
    assert (italian.status, italian.language, italian.translated_from) == ("ok", "it", ITALIAN_CODE[family])
    assert german.status == "ok" and german.translated_from == pipe.translator.source_code("de")
    assert squash("".join(s.source for s in french.segments)) == squash(FRENCH)
    assert not any("German" in w for w in french.warnings)
    languages = pipe.describe()["translation"]["languages"]
    assert languages["source"]["fr"] == FRENCH_CODE[family] and languages["source"]["it"] == ITALIAN_CODE[family]
    # the rows of one batch carry their own source code, as if each were translated alone
    alone = pipe.process([Document("fr", FRENCH)])[0]
    assert alone.to_record() == french.to_record()


def test_the_source_code_is_the_first_input_token(tiny_models, family_models, tmp_path):
    pipe = Pipeline(_config(tiny_models, family_models, tmp_path, translator="nllb"))
    translator = pipe.translator
    enc = translator._encode(["La banque.", "Die Bank."], ["fr", "de"])
    ids = translator.tokenizer.convert_ids_to_tokens(enc["input_ids"][:, 0].tolist())
    assert ids == ["fra_Latn", "deu_Latn"]
    assert translator.generation_config.forced_bos_token_id == translator.tokenizer.convert_tokens_to_ids("eng_Latn")


def test_single_pair_translator_still_skips_other_languages(tiny_pipeline):
    result = tiny_pipeline.process([Document("fr", FRENCH)])[0]
    assert result.status == "skipped" and "not German" in result.error and result.translated_from is None


def test_a_language_the_model_has_no_code_for_follows_language_other(tiny_models, family_models, tmp_path):
    latin = ("Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani, tertiam qui "
             "ipsorum lingua Celtae, nostra Galli appellantur. Hi omnes lingua, institutis, legibus inter se "
             "differunt.")
    for other, status in (("skip", "skipped"), ("error", "error")):
        pipe = Pipeline(_config(tiny_models, family_models, tmp_path, translator="mbart50",
                                language={"other": other}))
        result = pipe.process([Document("la", latin)])[0]
        assert result.language == "la"
        assert result.status == status and "has no language code" in result.error, result.error


def test_source_language_setting_overrides_detection(tiny_models, family_models, tmp_path):
    pipe = Pipeline(_config(tiny_models, family_models, tmp_path, translator="nllb",
                            translation={"source_language": "it"}))
    result = pipe.process([Document("de", GERMAN)])[0]
    assert result.status == "ok" and result.translated_from == "ita_Latn"


def test_manifest_records_family_codes_and_prefix(tiny_models, family_models, tmp_path):
    from pipeline.run import main
    from tests.conftest import write_config

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fr.txt").write_text(FRENCH, encoding="utf-8")
    config = _config(tiny_models, family_models, tmp_path, translator="nllb", summarizer="t5",
                     input={"path": str(folder)})
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 0
    output = Path(config.output.path)
    manifest = json.loads(output.with_name(output.stem + ".manifest.json").read_text(encoding="utf-8"))
    translation, summarization = manifest["models"]["translation"], manifest["models"]["summarization"]
    assert translation["family"]["architecture"] == "M2M100ForConditionalGeneration"
    assert translation["languages"]["source"]["fr"] == "fra_Latn" and translation["languages"]["target"] == "eng_Latn"
    assert summarization["family"]["name"] == "t5" and summarization["prefix"] == "summarize: "
    record = json.loads(output.read_text(encoding="utf-8").splitlines()[0])
    assert record["status"] == "ok" and record["translated_from"] == "fra_Latn"


# -- empty outputs are never ok ----------------------------------------------------------------------------


def test_an_empty_summary_is_an_error_naming_the_prefix(tiny_models, family_models, tmp_path):
    # forcing EOS as the first token makes the summarizer return nothing
    config = _config(tiny_models, family_models, tmp_path, summarizer="t5",
                     summarization={"generation": {**FAST_SUMMARY, "min_new_tokens": 0, "forced_bos_token_id": 1}})
    result = Pipeline(config).process([Document("a", GERMAN)])[0]
    assert result.status == "error" and result.summary is None
    assert "empty summary" in result.error and "summarization.prefix" in result.error
    assert result.translation  # what was produced is kept


def test_empty_translations_warn_and_never_give_ok(tiny_models, tmp_path):
    config = tiny_config(tiny_models, tmp_path,
                         translation={"generation": {**FAST_TRANSLATION, "forced_bos_token_id": 0}})
    result = Pipeline(config).process([Document("a", GERMAN)])[0]
    assert result.status == "error" and "empty translation" in result.error
    assert any("the translation is empty" in w for w in result.warnings)


def test_english_documents_follow_language_english(tiny_models, family_models, tmp_path):
    from scripts.tiny_base import ENGLISH_LINES

    english = " ".join(ENGLISH_LINES[:6])
    for mode, translated_from in (("translate", "eng_Latn"), ("skip_translation", None)):
        pipe = Pipeline(_config(tiny_models, family_models, tmp_path, translator="nllb", language={"english": mode}))
        result = pipe.process([Document("en", english)])[0]
        assert (result.status, result.language, result.translated_from) == ("ok", "en", translated_from)
