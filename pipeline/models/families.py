"""The model families the product knows, and each family's conventions (pure data and logic, no torch).

Two kinds: encoder-decoder (seq2seq) checkpoints, each filling one role, and decoder-only instruct (chat)
checkpoints (``kind='causal'``), which fill either role through a prompt (:mod:`pipeline.models.prompts`).

A checkpoint is recognised by its config's ``model_type`` (and, where one architecture serves two families,
its tokenizer class: NLLB-200 and M2M100 are both ``m2m_100``). Each family says which role it can fill
(translation or summarization), how it names languages (a code scheme: ``deu_Latn``, ``__de__``, ``de_DE``),
whether the checkpoint's task prefix applies (T5), where its input limit comes from, and whether it needs
global attention on the first token (LED). The backends apply the conventions; the user only names the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline.text.codes import DETECTABLE

Role = Literal["translation", "summarization"]
Kind = Literal["seq2seq", "causal"]
CodeScheme = Literal["nllb", "m2m100", "mbart"]


@dataclass(frozen=True)
class Family:
    """One family of checkpoints and what the product does for it."""

    # short name used in the manifest and messages ('nllb', 't5', ...)
    name: str
    # human name ('NLLB-200')
    title: str
    # config model_type of its checkpoints
    model_type: str
    # the config section it may serve; 'both' for instruct models (prompted for either task)
    role: Role | Literal["both"]
    # a checkpoint known to work, for messages and the README
    known_good: str
    # how it names languages; None: a single language pair, no codes (Marian opus-mt-xx-en)
    codes: CodeScheme | None = None
    # the checkpoint's task prefix (config task_specific_params[<role>].prefix) is put before every input
    task_prefix: bool = False
    # where the position limit comes from: 'learned' / 'sinusoidal' tables of config max_position_embeddings
    # (LED: max_encoder_position_embeddings), 'relative' = none in the config (the tokenizer's limit applies)
    positions: Literal["learned", "sinusoidal", "relative"] = "learned"
    # generate gets global_attention_mask with the first token global (Longformer-style local attention)
    global_attention_first: bool = False
    # tokenizer classes (without a 'Fast' suffix) that select this family when model_type is shared; empty: any
    tokenizers: frozenset[str] = frozenset()
    # 'seq2seq' (AutoModelForSeq2SeqLM) or 'causal' (a decoder-only instruct model, AutoModelForCausalLM,
    # prompted through its chat template)
    kind: Kind = "seq2seq"

    @property
    def instruct(self) -> bool:
        """A decoder-only instruct model: prompted, and given whole paragraphs to translate."""
        return self.kind == "causal"


FAMILIES: tuple[Family, ...] = (
    Family("marian", "MarianMT", "marian", "translation", "Helsinki-NLP/opus-mt-de-en", positions="sinusoidal"),
    Family("nllb", "NLLB-200", "m2m_100", "translation", "facebook/nllb-200-distilled-600M", codes="nllb",
           positions="sinusoidal", tokenizers=frozenset({"NllbTokenizer"})),
    Family("m2m100", "M2M100", "m2m_100", "translation", "facebook/m2m100_418M", codes="m2m100",
           positions="sinusoidal", tokenizers=frozenset({"M2M100Tokenizer"})),
    Family("mbart", "mBART-50", "mbart", "translation", "facebook/mbart-large-50-many-to-many-mmt", codes="mbart"),
    Family("bart", "BART", "bart", "summarization", "sshleifer/distilbart-cnn-12-6"),
    Family("pegasus", "Pegasus", "pegasus", "summarization", "google/pegasus-cnn_dailymail", positions="sinusoidal"),
    Family("t5", "T5", "t5", "summarization", "google/flan-t5-base", task_prefix=True, positions="relative"),
    Family("led", "LED", "led", "summarization", "allenai/led-base-16384", global_attention_first=True),
    # decoder-only instruct models: either role, prompted (positions 'relative': RoPE, the limit is the config's)
    Family("qwen2", "Qwen2/Qwen2.5-Instruct", "qwen2", "both", "Qwen/Qwen2.5-1.5B-Instruct", kind="causal"),
    Family("qwen3", "Qwen3", "qwen3", "both", "Qwen/Qwen3-1.7B", kind="causal"),
    Family("llama", "Llama 3.x-Instruct", "llama", "both", "meta-llama/Llama-3.2-3B-Instruct", kind="causal"),
    Family("gemma2", "Gemma 2 (it)", "gemma2", "both", "google/gemma-2-2b-it", kind="causal"),
    Family("gemma3", "Gemma 3 (it, text)", "gemma3_text", "both", "google/gemma-3-1b-it", kind="causal"),
    Family("mistral", "Mistral-Instruct", "mistral", "both", "mistralai/Mistral-7B-Instruct-v0.3", kind="causal"),
    Family("phi3", "Phi-3-Instruct", "phi3", "both", "microsoft/Phi-3-mini-4k-instruct", kind="causal"),
)


class UnknownFamily(ValueError):
    """The checkpoint belongs to no family the product knows for this role; the message lists those it knows."""


def supported(role: Role | None = None) -> str:
    """'Marian (marian: Helsinki-NLP/opus-mt-de-en), ...' for messages."""
    return ", ".join(f"{f.title} ({f.model_type}: {f.known_good})" for f in FAMILIES
                     if role is None or f.role in (role, "both"))


def identify(model_type: str | None, tokenizer_class: str | None, *, role: Role,
             is_encoder_decoder: bool = True) -> Family:
    """The family of a checkpoint from its config's ``model_type`` and its tokenizer's class name.

    Raises UnknownFamily for an architecture the product does not know (an encoder-only model such as BERT,
    a decoder-only model of no instruct family, such as GPT-2) or a family that does not fill ``role`` (a
    summarizer configured as the translator).
    """
    tokenizer = (tokenizer_class or "").removesuffix("Fast")
    candidates = [f for f in FAMILIES if f.model_type == model_type]
    matching = [f for f in candidates if not f.tokenizers or tokenizer in f.tokenizers] or candidates[-1:]
    if not matching:
        kind = ("an encoder-decoder model of no family this product supports" if is_encoder_decoder else
                "not an encoder-decoder (seq2seq) model, nor a decoder-only instruct model of a supported "
                "family: encoder-only (BERT) and other decoder-only (GPT-2) models cannot translate or "
                "summarize here")
        raise UnknownFamily(f"its architecture {model_type!r} is {kind}. Supported {role} families: {supported(role)}")
    family = matching[0]
    if family.role not in (role, "both"):
        raise UnknownFamily(f"it is a {family.title} model ({model_type}), which this product uses for "
                            f"{family.role}, not {role}. Supported {role} families: {supported(role)}")
    return family


# language -> FLORES-200 code of NLLB-200 (the script py3langid's training text uses, standard variety)
NLLB_CODES: Mapping[str, str] = {
    "ace": "ace_Latn", "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "ary": "ary_Arab",
    "arz": "arz_Arab", "as": "asm_Beng", "az": "azj_Latn", "ba": "bak_Cyrl", "be": "bel_Cyrl", "bg": "bul_Cyrl",
    "bn": "ben_Beng", "bs": "bos_Latn", "ca": "cat_Latn", "crh": "crh_Latn", "cs": "ces_Latn", "cy": "cym_Latn",
    "da": "dan_Latn", "de": "deu_Latn", "dz": "dzo_Tibt", "el": "ell_Grek", "en": "eng_Latn", "eo": "epo_Latn",
    "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn", "fo": "fao_Latn",
    "fr": "fra_Latn", "fuv": "fuv_Latn", "ga": "gle_Latn", "gd": "gla_Latn", "gl": "glg_Latn", "gu": "guj_Gujr",
    "ha": "hau_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hr": "hrv_Latn", "ht": "hat_Latn", "hu": "hun_Latn",
    "hy": "hye_Armn", "id": "ind_Latn", "ig": "ibo_Latn", "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan",
    "jv": "jav_Latn", "ka": "kat_Geor", "kab": "kab_Latn", "kik": "kik_Latn", "kk": "kaz_Cyrl", "km": "khm_Khmr",
    "kn": "kan_Knda", "ko": "kor_Hang", "ku": "kmr_Latn", "ky": "kir_Cyrl", "lb": "ltz_Latn", "lg": "lug_Latn",
    "lij": "lij_Latn", "ln": "lin_Latn", "lo": "lao_Laoo", "lt": "lit_Latn", "ltg": "ltg_Latn", "lv": "lvs_Latn",
    "mg": "plt_Latn", "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mn": "khk_Cyrl", "mr": "mar_Deva", "ms": "zsm_Latn",
    "mt": "mlt_Latn", "my": "mya_Mymr", "ne": "npi_Deva", "nl": "nld_Latn", "nn": "nno_Latn", "no": "nob_Latn",
    "nso": "nso_Latn", "oc": "oci_Latn", "om": "gaz_Latn", "or": "ory_Orya", "pa": "pan_Guru", "pl": "pol_Latn",
    "ps": "pbt_Arab", "pt": "por_Latn", "qu": "quy_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "rw": "kin_Latn",
    "sa": "san_Deva", "si": "sin_Sinh", "sk": "slk_Latn", "sl": "slv_Latn", "sn": "sna_Latn", "so": "som_Latn",
    "sq": "als_Latn", "sr": "srp_Cyrl", "st": "sot_Latn", "sv": "swe_Latn", "sw": "swh_Latn", "ta": "tam_Taml",
    "te": "tel_Telu", "tg": "tgk_Cyrl", "th": "tha_Thai", "tk": "tuk_Latn", "tl": "tgl_Latn", "tr": "tur_Latn",
    "tt": "tat_Cyrl", "ug": "uig_Arab", "uk": "ukr_Cyrl", "ur": "urd_Arab", "uz": "uzn_Latn", "vec": "vec_Latn",
    "vi": "vie_Latn", "xh": "xho_Latn", "yo": "yor_Latn", "yue": "yue_Hant", "zh": "zho_Hans", "zu": "zul_Latn",
}

# the language codes of mBART-50 (mBART-25's are a subset): language + region, one per language
MBART_CODES: tuple[str, ...] = (
    "ar_AR", "cs_CZ", "de_DE", "en_XX", "es_XX", "et_EE", "fi_FI", "fr_XX", "gu_IN", "hi_IN", "it_IT", "ja_XX",
    "kk_KZ", "ko_KR", "lt_LT", "lv_LV", "my_MM", "ne_NP", "nl_XX", "ro_RO", "ru_RU", "si_LK", "tr_TR", "vi_VN",
    "zh_CN", "af_ZA", "az_AZ", "bn_IN", "fa_IR", "he_IL", "hr_HR", "id_ID", "ka_GE", "km_KH", "mk_MK", "ml_IN",
    "mn_MN", "mr_IN", "pl_PL", "ps_AF", "pt_XX", "sv_SE", "sw_KE", "ta_IN", "te_IN", "th_TH", "tl_XX", "uk_UA",
    "ur_PK", "xh_ZA", "gl_ES", "sl_SI",
)

# py3langid says 'no' for Norwegian Bokmål; M2M100 knows it as 'no' too, some schemes as 'nb'
_M2M100_ALIASES = {"nb": "no"}


def candidate_code(scheme: CodeScheme, language: str) -> str | None:
    """The code ``scheme`` would use for ``language`` (ISO 639-1 / py3langid), before checking the tokenizer."""
    if scheme == "nllb":
        return NLLB_CODES.get(language)
    if scheme == "m2m100":
        return f"__{_M2M100_ALIASES.get(language, language)}__"
    for code in MBART_CODES:
        if code.split("_")[0] == language:
            return code
    return None


def language_codes(scheme: CodeScheme, known: Callable[[str], bool],
                   languages: tuple[str, ...] = DETECTABLE) -> dict[str, str]:
    """Language -> code for every language of ``languages`` whose code the model's tokenizer has
    (``known(code)``), in the order of ``languages``."""
    codes = {}
    for language in languages:
        code = candidate_code(scheme, language)
        if code is not None and known(code):
            codes[language] = code
    return codes
