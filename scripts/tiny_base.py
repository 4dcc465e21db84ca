"""What every random-weight stand-in shares: the training text of its tokenizer, vocabulary padding, and saving
the model with the real checkpoint's legacy config keys (imported by ``make_tiny_models`` and
``tiny_families``; imports neither)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DUMMY = "madeupword{:05d}"  # filler entries for real-size vocabularies, named as fairseq names them

# Training text: business news, with the characters a German news corpus needs.
GERMAN_LINES: tuple[str, ...] = (
    "Die Deutsche Bank hat im dritten Quartal einen Gewinn von 1,3 Milliarden Euro erzielt.",
    "Der Umsatz stieg um 12,5 Prozent auf 7,8 Mrd. €, teilte das Unternehmen am Donnerstag mit.",
    "„Wir sind mit dem Ergebnis äußerst zufrieden“, sagte der Vorstandschef in Frankfurt am Main.",
    "Die Aktie schloss an der Börse mit einem Plus von 3,2 % bei 14,75 Euro.",
    "Wegen höherer Energiepreise senkte BASF die Prognose für das Geschäftsjahr 2024.",
    "Die Europäische Zentralbank (EZB) ließ den Leitzins unverändert bei 4,5 Prozent.",
    "Volkswagen lieferte weltweit 2,3 Millionen Fahrzeuge aus – ein Rückgang um 4 %.",
    "Der Münchner Konzern Siemens übernimmt den Softwareanbieter für 10 Mrd. US-Dollar.",
    "Die Inflationsrate in Deutschland fiel im Oktober auf 3,8 Prozent, so das Statistische Bundesamt.",
    "Nach Angaben des Ifo-Instituts verschlechterte sich die Stimmung der Unternehmen erneut.",
    "Die Gewerkschaft Verdi fordert für die Beschäftigten 10,5 % mehr Lohn.",
    "Größere Investitionen in Straßen und Brücken sind laut Bundesregierung geplant.",
    "Der DAX gab am Freitag um 0,7 Prozent auf 15.120 Punkte nach.",
    "Die Lufthansa meldete für das erste Halbjahr einen Überschuss von 881 Mio. Euro.",
    "Der Aufsichtsrat berief Dr. Müller zum 1. Januar 2025 in den Vorstand.",
    "Kunden müssen sich auf höhere Gebühren für Girokonten einstellen, heißt es in der Studie.",
    "Die Exporte nach China gingen im Vergleich zum Vorjahr um 8,4 Prozent zurück.",
    "Laut einer Umfrage des DIHK planen 35 % der Betriebe Stellenabbau.",
    "Das Bundeskartellamt prüft die geplante Fusion der beiden Energieversorger.",
    "Die Bahn kündigte an, bis 2030 rund 40 Milliarden Euro in das Schienennetz zu investieren.",
    "„Die Lage bleibt schwierig“, erklärte die Finanzministerin am Mittwoch in Berlin.",
    "Der Ölpreis stieg auf 92 Dollar je Barrel; Heizöl wurde damit spürbar teurer.",
    "Mittelständische Firmen klagen über Fachkräftemangel und Bürokratie.",
    "Die Übernahme soll im zweiten Halbjahr abgeschlossen werden, vorbehaltlich der Genehmigung.",
    "Im Einzelhandel sanken die Umsätze real um 2,1 % gegenüber dem Vormonat.",
    "Die Commerzbank zahlt eine Dividende von 0,20 € je Aktie und kauft eigene Aktien zurück.",
    "Bayer streicht weltweit Tausende Stellen, vor allem im mittleren Management.",
    "Der Verband der Automobilindustrie (VDA) rechnet mit einem schwächeren Absatz in Europa.",
    "Süßwarenhersteller erhöhen die Preise, weil Kakao und Zucker deutlich teurer geworden sind.",
    "Am Immobilienmarkt fielen die Preise für Wohnungen im Jahresvergleich um 9,9 Prozent.",
    "Die Gespräche über den Tarifvertrag werden am 14. März in Köln fortgesetzt.",
    "Zölle auf Stahl und Aluminium belasten die Exportwirtschaft spürbar.",
    "Ärger bei Yello: Warum kündigen so viele Kunden? Der Versorger verlor 6 % seiner Verträge!",
    "Die Liquidität von H&M und McDonald's stieg 2016 um 16,6 Prozent; der Chef sprach vom ‚Rekordjahr‘.",
    'Der Euro/Dollar-Kurs lag bei 1,0869 – Analysten sprechen von "Stabilität".',
    "Xetra-Händler berichten: Zalando und Puma gaben nach, Nvidia, Uber und Qualcomm legten in Kiel zu.",
)

ENGLISH_LINES: tuple[str, ...] = (
    "Deutsche Bank made a profit of 1.3 billion euros in the third quarter.",
    "Revenue rose 12.5 percent to 7.8 billion euros, the company said on Thursday.",
    '"We are extremely satisfied with the result," the chief executive said in Frankfurt.',
    "The shares closed 3.2% higher at 14.75 euros on the stock exchange.",
    "Because of higher energy prices, BASF cut its forecast for the 2024 financial year.",
    "The European Central Bank (ECB) left its key interest rate unchanged at 4.5 percent.",
    "Volkswagen delivered 2.3 million vehicles worldwide - a decline of 4%.",
    "The Munich-based group Siemens is buying the software provider for $10 billion.",
    "Inflation in Germany fell to 3.8 percent in October, according to the Federal Statistical Office.",
    "According to the Ifo Institute, business sentiment deteriorated again.",
    "The Verdi union is demanding a 10.5% pay rise for employees.",
    "The federal government plans larger investments in roads and bridges.",
    "The DAX fell 0.7 percent to 15,120 points on Friday.",
    "Lufthansa reported a net profit of 881 million euros for the first half of the year.",
    "The supervisory board appointed Dr. Mueller to the management board from January 1, 2025.",
    "Customers will have to pay higher fees for current accounts, the study says.",
    "Exports to China fell 8.4 percent compared with the previous year.",
    "According to a DIHK survey, 35% of companies plan to cut jobs.",
    "The Federal Cartel Office is examining the planned merger of the two energy suppliers.",
    "The railway announced it would invest around 40 billion euros in the rail network by 2030.",
    '"The situation remains difficult," the finance minister said in Berlin on Wednesday.',
    "The oil price rose to $92 a barrel; heating oil became noticeably more expensive.",
    "Medium-sized companies complain about a shortage of skilled workers and red tape.",
    "The takeover is expected to close in the second half, subject to regulatory approval.",
    "Retail sales fell 2.1% in real terms compared with the previous month.",
    "Commerzbank is paying a dividend of 0.20 euros per share and buying back its own shares.",
    "Bayer is cutting thousands of jobs worldwide, especially in middle management.",
    "The German Association of the Automotive Industry (VDA) expects weaker sales in Europe.",
    "Confectionery makers are raising prices because cocoa and sugar have become much more expensive.",
    "On the property market, apartment prices fell 9.9 percent year on year.",
    "Talks on the collective agreement will resume in Cologne on March 14.",
    "Tariffs on steel and aluminium are weighing noticeably on exporters.",
    "Trouble at Yello: why are so many customers leaving? The supplier lost 6% of its contracts!",
    "H&M's ratio rose to 16.6 percent in 2016; the boss spoke of a 'record year'.",
    'The euro/dollar rate was 1.0869 - analysts speak of "stability".',
    "Xetra traders report: Zalando and Puma fell, while Nvidia, Uber and Qualcomm gained in Kiel.",
)

FRENCH_LINES: tuple[str, ...] = (
    "La Banque centrale européenne a laissé son taux directeur inchangé à 4,5 % jeudi.",
    "Le chiffre d'affaires du groupe a progressé de 12 % au troisième trimestre.",
    "« Nous sommes très satisfaits de ce résultat », a déclaré le président à Paris.",
    "Les exportations vers la Chine ont reculé de 8,4 % par rapport à l'année précédente.",
    "L'inflation en France est tombée à 3,8 % en octobre, selon l'Insee.",
    "Le constructeur automobile prévoit de supprimer des milliers d'emplois en Europe.",
    "Les prix de l'énergie pèsent sur les entreprises et les ménages.",
    "La société a annoncé un bénéfice net de 881 millions d'euros au premier semestre.",
)
ITALIAN_LINES: tuple[str, ...] = (
    "La Banca centrale europea ha lasciato invariato il tasso di riferimento al 4,5 per cento.",
    "Il fatturato del gruppo è cresciuto del 12 per cento nel terzo trimestre.",
    "«Siamo molto soddisfatti del risultato», ha dichiarato l'amministratore delegato a Milano.",
    "Le esportazioni verso la Cina sono diminuite dell'8,4 per cento rispetto all'anno precedente.",
    "L'inflazione in Italia è scesa al 3,8 per cento in ottobre, secondo l'Istat.",
    "La società ha registrato un utile netto di 881 milioni di euro nel primo semestre.",
    "I prezzi dell'energia pesano sulle imprese e sulle famiglie.",
    "Il governo prevede maggiori investimenti in strade e ponti.",
)

def pad_vocab(tokens: list[str], size: int | None, *, last: str) -> list[str]:
    """Return ``tokens`` (ending in ``last``) padded to ``size`` entries with dummies before ``last``."""
    body = [token for token in tokens if token != last]
    if size is not None:
        if size < len(body) + 1:
            raise ValueError(
                f"vocab_size {size} is smaller than the trained vocabulary ({len(body) + 1} entries)"
            )
        body += [DUMMY.format(i) for i in range(size - len(body) - 1)]
    return [*body, last]


def save_model(
    model_class: Any, config: Any, generation: Any, legacy: dict[str, Any], out: Path, *, seed: int
) -> None:
    """Initialise ``model_class`` from ``seed``, save it to ``out`` and add ``legacy`` keys to config.json."""
    import torch

    # fork_rng keeps the caller's global torch RNG state untouched.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = model_class(config).eval()
    model.generation_config = generation
    model.save_pretrained(out, max_shard_size="100GB")  # one model.safetensors, as the real repos have
    # transformers 5 drops these keys when saving; the real config.json files have them.
    path = out / "config.json"
    write_json(path, json.loads(path.read_text(encoding="utf-8")) | legacy)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as sorted, indented UTF-8 JSON (stable bytes across builds)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
