"""Per-language word lists for the sentence splitter in ``pipeline.text.sentences`` (data only, standard library only).

German is the rule set the splitter was written for; French, Italian, Spanish, Portuguese, Dutch and English
have their own abbreviations and sentence openers. Every other language is split with the German rules (which
treat an unknown language like German text without abbreviations: ``. ! ? …`` before a capitalized word).

Abbreviation keys are written without spaces: "z. B." and "z.B." are both looked up as "z.B.". The four kinds:

* ``never``: never ends a sentence (``Dr.``, ``z. B.``, ``M.``);
* ``number``: does not end one before a number (``Art. 5``, ``Nr. 3``, ``núm. 24``; elsewhere ``Art.`` is a
  noun);
* ``list``: a list ending that ends a sentence before a capitalized word (``usw.``, ``etc.``, ``ecc.``);
* ``ambiguous``: ends one only before a typical sentence opener (``Mio.``, ``Inc.``, ``p.m.``, ``S.p.A.``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["LANGUAGES", "SentenceRules", "rules_for"]


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _kinds(never: str = "", number: str = "", list_end: str = "", ambiguous: str = "") -> dict[str, str]:
    return {
        **dict.fromkeys(_words(never), "never"),
        **dict.fromkeys(_words(number), "number"),
        **dict.fromkeys(_words(list_end), "list"),
        **dict.fromkeys(_words(ambiguous), "ambiguous"),
    }


@dataclass(frozen=True)
class SentenceRules:
    """What the splitter needs to know about one language."""

    # ISO 639-1 code
    language: str
    # abbreviation (without spaces, with its final period) -> "never" | "number" | "list" | "ambiguous"
    abbreviations: Mapping[str, str]
    # capitalized words that mostly open a sentence (function words), checked after ambiguous abbreviations,
    # initials and Roman numerals; an elided opener is written with its apostrophe ("L'", "C'")
    starters: frozenset[str]
    # words (lowercase) that do not end a line: a line ending in one continues (hard wrap, not a headline)
    continuation_words: frozenset[str]
    # "<number>." can be an ordinal ("am 3. Oktober", German and Scandinavian style)
    ordinal_period: bool = False
    # nouns (lowercase) that follow an ordinal ("der 18. Preisträger"), months, and the words before a number
    # that make it an ordinal (articles, prepositions); used only with ordinal_period
    ordinal_nouns: frozenset[str] = field(default_factory=frozenset)
    months: frozenset[str] = field(default_factory=frozenset)
    ordinal_determiners: frozenset[str] = field(default_factory=frozenset)
    # "? ! » …" standing alone after a space (French typography) belong to the word before them
    spaced_punctuation: bool = False
    # a title ("Gov.", "Dr.") after an ambiguous abbreviation opens a new sentence ("… Corp. Gov. Stein said")
    title_opens_sentence: bool = False


_GERMAN = SentenceRules(
    language="de",
    abbreviations=_kinds(
        never="""Dr. Prof. Dipl. Dipl.-Ing. Dipl.-Kfm. Mag. Hr. Hrn. Mr. Mrs. Ms. Messrs. Sgt. Lt. Capt. Col. Rev.
        Hon. Sen. Rep. Gov. Pres. St. Ste. Hl. Pfr. Gebr. Fa. Univ.-Prof. Priv.-Doz. med. jur. rer. nat. phil.
        pol. oec. dent. vet. h.c. mult. Dept. Univ. approx. Cmdr. Cdr. Adm. Maj. Brig. Cpl. Pvt. Wm. Chas.
        Jas. Thos. Geo. Robt. Benj.
        z. z.B. z.T. z.Zt. z.Hd. zz. zzt. u. u.U. d. d.h. v. v.a. i. i.d.R. i.H.v. i.A. i.V. i.S.d. i.S.v. o.
        o.g. m.E. bzw. bspw. ca. vgl. ggf. ggfs. evtl. inkl. exkl. zzgl. ggü. gem. lt. bzgl. sog. insb. insbes.
        einschl. entspr. gegr. geb. gest. verh. ehem. stellv. jew. mind. max. rd. od. zit. vs. allg. bes.
        urspr. ugs. tägl. dt. engl. frz. franz. ital. span. lat. griech. russ. amerik.""",
        number="""Nr. Nrn. No. Art. Abs. Bd. Bde. Kap. Ziff. Rn. Rz. Tel. Fax. Abb. Tab. Anl. Pos. Jg. Vol. Az. Fn.
        Sp. Hs. Lfg. Tz. Bl. Str. Pkt. Kat. Zi. Ausg. Abschn.""",
        list_end="etc. usw. u.s.w. usf. u.v.m. u.ä. u.Ä. o.ä. o.Ä. al. ff. f. s.o. s.u.",
        ambiguous="""Mio. Mrd. Mill. Bio. Tsd. Co. Inc. Corp. Ltd. Bros. Jr. Sr. Hbf. Jh. Jhd. Jhdt. Hrsg. Hg. Std.
        Min. min. Sek. Aufl. Red. d.Red. Anm. Nachf. Abt. Bsp. MwSt. Gen. v.Chr. n.Chr. a.D. e.V. u.a.
        Jan. Feb. Mär. Mrz. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez. Mo. Di. Mi. Do. Fr. Sa.""",
    ),
    starters=_words(
        """Der Die Das Den Dem Des Ein Eine Einer Eines Einem Einen Er Sie Es Wir Ich Ihr Man Dies Diese Dieser
        Dieses Diesem Diesen Jener Jene Dabei Damit Danach Dadurch Daher Darum Dazu Davon Dafür Dagegen Darauf
        Darüber Deshalb Deswegen Dennoch Doch Aber Auch Und Oder Denn Sondern Allerdings Außerdem Zudem Zuvor
        Zuletzt Zunächst Zwar Somit So Wie Was Wer Wo Wann Warum Weshalb Wieso Wenn Weil Während Als Ob Obwohl
        Nachdem Sobald Solange Falls Nach Vor Seit Bei Mit Für Im In Am An Auf Aus Um Unter Über Von Vom Zum Zur
        Beim Laut Trotz Wegen Gegen Ohne Durch Bis Ab Neben Zwischen Jetzt Nun Heute Gestern Morgen Dann Hier
        Dort Da Noch Schon Bereits Erst Nur Alle Viele Einige Mehrere Jeder Jede Jedes Kein Keine Sein Seine
        Ihre Unser Unsere Mehr Insgesamt Gleichzeitig Inzwischen Mittlerweile Bisher Bislang Derzeit Aktuell
        Demnach Zusätzlich Ebenfalls Ebenso Stattdessen Vielmehr Immerhin Schließlich Letztlich Offenbar
        Vermutlich Wahrscheinlich Tatsächlich Natürlich Anschließend Erstmals Zugleich Trotzdem Hingegen
        Jedoch Weiterhin Ferner Bitte Ja Nein Nicht Gemeinsam Konkret Besonders Vor Zwei Drei Vier Fünf
        The This That These Those It He She We They You There Here Now Our His Her Their But And If When What
        Who How Why""",
    ),
    continuation_words=_words(
        """der die das den dem des ein eine einen einem einer eines und oder aber sowie sondern denn dass ob
        weil wenn als wie von vom zum zur für am im in beim ohne bis seit trotz während wegen zwischen ihre
        ihren seine seinen""",
    ),
    ordinal_period=True,
    # nouns that typically follow an ordinal ("der 18. Preisträger", "im 19. Jahrhundert", "1. FC Köln")
    ordinal_nouns=_words(
        """jahrhundert jahrtausend jahrzehnt jahr jahrestag geburtstag todestag tag woche monat quartal halbjahr
        semester mal platz rang stelle runde spieltag etappe minute halbzeit spiel satz saison liga bundesliga
        division klasse stock stockwerk etage obergeschoss kapitel absatz artikel auflage ausgabe band folge
        staffel episode teil lesung sitzung amtszeit periode bundestag weltkrieg advent versuch anlauf
        generation kandidat mitglied kunde besucher preisträger sieger gewinner schritt stufe phase welle
        ordnung grad instanz senat kammer fc fsv sc sv bc hälfte buch sinfonie symphonie konzert meisterschaft
        durchgang gang rennen lauf tor treffer sieg niederlage titel medaille jubiläum gipfel konferenz
        kongress mannschaft reihe punkt""",
    ),
    months=_words(
        """januar jänner februar feber märz april mai juni juli august september oktober november dezember
        jan feb mär mrz apr jun jul aug sep sept okt nov dez""",
    ),
    ordinal_determiners=_words(
        """der die das dem den des am im zum zur vom beim ins ans ein eine einen einem einer eines sein seine
        seinem seinen seiner ihr ihre ihrem ihren ihrer unser unsere unserem unseren dessen deren jeder jede
        jedes jedem jeden dieser diese dieses diesem diesen""",
    ),
)

_FRENCH = SentenceRules(
    language="fr",
    abbreviations=_kinds(
        never="""M. MM. Mme. Mmes. Mlle. Mlles. Mgr. Me. Dr. Pr. Prof. St. Ste. Sts. Cie. Éts. Ets. cf. p.ex. av.
        apr. c.-à-d. c.à.d. s.v.p. env. boul. bd. bld. éd. dir. coll. trad. réf. ill. hab. tél. vs. resp.
        gén. lt. col. cdt. cne. adj. sgt. dép. arr. J.-C. ap.""",
        number="no. n. nos. art. p. pp. vol. chap. fig. tab. al. ch. éd. t. n°.",
        list_end="etc. suiv. sq. sqq.",
        ambiguous="""S.A. S.E. SA. Inc. Corp. Ltd. Co. min. h. janv. févr. avr. juil. sept. oct. nov. déc. mar.
        av.J.-C. apr.J.-C.""",
    ),
    starters=_words(
        """Le La Les L' Un Une Des Du De D' Il Elle Ils Elles On Nous Vous Je J' Tu Ce Cette Ces Cet C' Ceci Cela
        Ça Mais Et Ou Donc Or Car Ni Pour Dans En Au Aux À Sur Sous Par Avec Sans Chez Vers Entre Selon Après
        Avant Depuis Pendant Lors Alors Ainsi Cependant Pourtant Toutefois Néanmoins Enfin Ensuite Puis Aussi
        Si S' Quand Lorsque Lorsqu' Comme Parce Puisque Bien Déjà Encore Aujourd'hui Hier Demain Désormais
        Certes Mon Ma Mes Son Sa Ses Leur Leurs Notre Nos Votre Vos Qui Que Qu' Quoi Où Comment Pourquoi Quel
        Quelle Quels Quelles Tous Tout Toute Toutes Plusieurs Certains Certaines Aucun Aucune Chaque Rien Non
        Oui Y Là Ici Cet N' Plus Moins Très Seul Seule Outre Malgré Contrairement Face D'après""",
    ),
    continuation_words=_words(
        """le la les l' un une des du de d' et ou mais donc car que qu' à au aux en dans sur sous par pour avec
        sans chez vers entre selon ce cette ces son sa ses leur leurs""",
    ),
    spaced_punctuation=True,
    title_opens_sentence=True,
)

_ITALIAN = SentenceRules(
    language="it",
    abbreviations=_kinds(
        never="""Sig. Sigg. Dott. Dr. Prof. Avv. Ing. Arch. Geom. Rag. On. Sen.
        Gen. Col. Cap. Ten. Mons. Don. Rev. Egr. Gent. Spett. Ill. Mr. SS. Sto. Sta. dott. sig. prof. avv.
        ing. on. cfr. cf. es. ca. v. vs. rispett. risp. ved. cit. op. pres. ex. tel. dir.""",
        number="n. nn. nr. art. artt. p. pag. pagg. pp. cap. capp. vol. voll. fig. tab. c. comma. no.",
        list_end="ecc. etc. segg. ss.",
        ambiguous="""S.p.A. S.r.l. S.n.c. S.a.s. Spa. Srl. N.V. Inc. Corp. Ltd. Co. a.C. d.C. sec. mld. mln. gen. feb.
        mar. apr. mag. giu. lug. ago. set. ott. nov. dic.""",
    ),
    starters=_words(
        """Il Lo La I Gli Le L' Un Uno Una Un' Del Della Dei Degli Delle Dell' Al Alla Ai Agli Alle All' Nel
        Nella Nei Negli Nelle Nell' Sul Sulla Sui Sugli Sulle Sull' Dal Dalla Dai Dagli Dalle Dall' Di Da In
        Con Su Per Tra Fra A E Ed O Ma Però Quindi Dunque Inoltre Infatti Anche Ancora Già Poi Allora Così
        Oggi Ieri Domani Ora Adesso Secondo Dopo Prima Durante Mentre Quando Se Come Perché Poiché Sebbene
        Anzi Invece Tuttavia Comunque Insomma Intanto Infine Io Tu Lui Lei Noi Voi Loro Egli Ella Esso Essa
        Questo Questa Questi Queste Quel Quello Quella Quelli Quelle Chi Che Cosa Dove Qual Quale Quali Quanto
        Non Sì No Ci C' Si Ne È Era Sono Sarà Ha Hanno Tutti Tutto Tutta Tutte Ogni Alcuni Alcune Nessuno
        Molti Molte Qui Là Lì Oltre Nonostante Grazie""",
    ),
    continuation_words=_words(
        """il lo la i gli le l' un uno una del della dei degli delle al alla ai nel nella sul sulla dal dalla di
        da in con su per tra fra e ed o ma che""",
    ),
    spaced_punctuation=True,
    title_opens_sentence=True,
)

_SPANISH = SentenceRules(
    language="es",
    abbreviations=_kinds(
        never="""Sr. Sra. Srta. Sres. Sras. Srs. D. Dña. Dª. Dr. Dra. Drs. Lic. Lcdo. Lcda. Ing. Arq. Prof. Profa.
        Excmo. Excma. Ilmo. Ilma. Sto. Sta. Mons. Gral. Cnel. Tte. Cap. Sgto. Av. Avda. Pza. Ud. Uds. Vd. Vds.
        p.ej. ej. aprox. vs. cf. cfr. vid. tel. dpto. depto. admón. EE. aa. prov. izq. dcha.""",
        number="núm. nº. n. n.º. pág. págs. p. pp. art. arts. cap. vol. fig. tab. no.",
        list_end="etc. ss.",
        ambiguous="""EE.UU. S.A. S.L. S.A.U. C.F. Cía. Inc. Corp. Ltd. Co. a.C. d.C. a.m. p.m. h. min. mill. ene.
        feb. mar. abr. may. jun. jul. ago. sept. oct. nov. dic.""",
    ),
    starters=_words(
        """El La Los Las Lo Un Una Unos Unas Al Del De En Con Por Para Sin Sobre Entre Desde Hasta Tras Según
        Durante Ante Bajo Y E O U Ni Pero Sino Aunque Porque Pues Así Además También Tampoco Luego
        Después Antes Ahora Hoy Ayer Mañana Entonces Mientras Cuando Si Como Donde Ya Aún Todavía Yo Tú Él
        Ella Ellos Ellas Nosotros Vosotros Usted Ustedes Este Esta Estos Estas Ese Esa Esos Esas Aquel Aquella
        Esto Eso Mi Mis Su Sus Nuestro Nuestra Qué Quién Quiénes Cuál Cuáles Cómo Cuándo Dónde Cuánto Por
        No Sí Se Le Les Me Te Nos Hay Es Son Fue Era Todos Todas Todo Cada Otro Otra Otros Otras Varios
        Muchos Muchas Algunos Algunas Ningún Ninguna Nadie Aquí Allí Allá Incluso Finalmente Además""",
    ),
    continuation_words=_words(
        """el la los las lo un una unos unas al del de en con por para sin sobre entre y e o u ni pero que
        su sus""",
    ),
    spaced_punctuation=True,
    title_opens_sentence=True,
)

_PORTUGUESE = SentenceRules(
    language="pt",
    abbreviations=_kinds(
        never="""Sr. Sra. Srs. Sras. Srta. D. Dr. Dra. Drs. Dras. Prof. Profa. Eng. Arq. Exmo. Exma.
        Ilmo. Ilma. Sto. Sta. Pe. Gen. Cel. Ten. Cap. Av. R. V.Exa. p.ex. ex. aprox. cf. cfr. vs. tel.
        Lda. Lic. Dto. Esq.""",
        number="n. nº. n.º. pág. págs. p. pp. art. arts. cap. vol. fig. tab. no.",
        list_end="etc.",
        ambiguous="""S.A. Ltda. Cia. SGPS. Inc. Corp. Ltd. Co. a.C. d.C. h. min. jan. fev. mar. abr. mai. jun.
        jul. ago. set. out. nov. dez.""",
    ),
    starters=_words(
        """O A Os As Um Uma Uns Umas Ao À Aos Às Do Da Dos Das No Na Nos Nas Pelo Pela Pelos Pelas De Em Com
        Por Para Sem Sobre Entre Desde Até Após Segundo Durante Perante E Ou Nem Mas Porém Contudo Todavia
        Entretanto Portanto Assim Além Também Ainda Já Agora Hoje Ontem Amanhã Então Enquanto Quando Se Como
        Onde Porque Pois Embora Eu Tu Ele Ela Eles Elas Nós Vós Você Vocês Este Esta Estes Estas Esse Essa
        Esses Essas Aquele Aquela Isto Isso Aquilo Meu Minha Seu Sua Seus Suas Nosso Nossa Que Quem Qual
        Quais Quanto Não Sim Há É São Foi Era Todos Todas Tudo Cada Outro Outra Outros Outras Vários Muitos
        Muitas Alguns Algumas Nenhum Nenhuma Ninguém Aqui Ali Lá Finalmente""",
    ),
    continuation_words=_words(
        """o a os as um uma ao aos do da dos das no na nos nas pelo pela de em com por para sem sobre entre e
        ou nem mas que seu sua""",
    ),
    spaced_punctuation=True,
    title_opens_sentence=True,
)

_DUTCH = SentenceRules(
    language="nl",
    abbreviations=_kinds(
        never="""dhr. Dhr. mevr. Mevr. mw. Mw. mr. Mr. dr. Dr. drs. Drs. ir. Ir. ing. Ing. prof. Prof. ds. Ds.
        St. Sr. Jr. bijv. bv. b.v. bv. d.w.z. o.a. m.b.t. i.p.v. t.o.v. i.v.m. m.n. ca. ong. resp. vs. z.g.
        zgn. zog. t.a.v. a.s. jl. mln. mld. mrd. Mln. Mld.""",
        number="nr. Nr. nrs. art. Art. blz. p. pp. hfst. fig. tel. no.",
        list_end="enz. etc. e.d. e.a. e.v.",
        ambiguous="""N.V. B.V. NV. BV. Inc. Corp. Ltd. Co. v.Chr. n.Chr. u. min. jan. feb. mrt. apr. jun. jul.
        aug. sep. sept. okt. nov. dec.""",
    ),
    starters=_words(
        """De Het Een Er Hij Zij Ze Wij We Ik Jij Je U Jullie Dit Dat Deze Die Daar Hier Maar En Of Want Dus
        Toch Ook Nu Toen Dan Daarom Daarna Daardoor Daarbij Daarmee Bovendien Verder Wel Niet Geen Als Omdat
        Hoewel Sinds Tijdens Terwijl Nadat Voordat Zodra In Op Met Voor Na Bij Van Uit Aan Over Onder Door
        Tot Om Volgens Zonder Tegen Na Vandaag Gisteren Morgen Inmiddels Intussen Volgens Wat Wie Waar
        Wanneer Waarom Hoe Welke Alle Veel Sommige Iedereen Niemand Zijn Haar Hun Ons Onze Mijn Uw Ja Nee
        Eerder Later Tegelijk Ondertussen Zo Al""",
    ),
    continuation_words=_words(
        """de het een en of maar want dat die van in op met voor bij naar uit aan over onder door tot om
        zijn haar hun""",
    ),
    spaced_punctuation=True,
    title_opens_sentence=True,
)

_ENGLISH = SentenceRules(
    language="en",
    abbreviations=_kinds(
        never="""Mr. Mrs. Ms. Messrs. Mmes. Dr. Prof. Rev. Hon. Sen. Rep. Gov. Pres. Gen. Lt. Col. Capt. Cmdr.
        Cdr. Adm. Maj. Brig. Sgt. Cpl. Pvt. Supt. Insp. Det. Atty. Amb. Rt. Fr. St. Ste. Mt.
        Ft. Wm. Chas. Jas. Thos. Geo. Robt. Benj. e.g. i.e. cf. vs. viz. approx. ca. est. Dept. dept. Univ.
        Assn. Ave. Blvd. Rd. Hwy. Calif. Ala. Ariz. Ark. Colo. Conn. Del. Fla. Ga. Ill. Ind. Kan. Ky.
        La. Md. Mass. Mich. Minn. Miss. Mo. Mont. Neb. Nev. Okla. Ore. Pa. Tenn. Tex. Va. Vt. Wash. Wis.
        Wyo. N.C. S.C. N.D. S.D. N.H. N.J. N.M. N.Y. R.I. W.Va. D-Mass. D.C. Mass.""",
        number="No. Nos. no. nos. Art. art. p. pp. Vol. vol. Fig. fig. ch. Ch. Sec. par. para. Tel. tel.",
        list_end="etc. al.",
        ambiguous="""U.S. U.K. U.N. E.U. Inc. Corp. Co. Ltd. Jr. Sr. LLC. a.m. p.m. A.M. P.M. Jan. Feb. Mar.
        Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec. Mon. Tue. Tues. Wed. Thu. Thur. Thurs. Fri. Sat. Sun.
        min. hr. hrs. mln. bln. B.C. A.D.""",
    ),
    starters=_words(
        """The A An This That These Those It Its He She We They You I There Here Now Our His Her Their My Your
        But And Or So Yet If When While What Who Whom Whose Which Where Why How As After Before Since Until
        Although Though Because In On At For From With Without By Of To Under Over About Among Between During
        Despite According Also Still However Meanwhile Moreover Furthermore Nevertheless Instead Then Today
        Yesterday Tomorrow Last Next Some Many Most All Both Each Every No Not None Nothing Several Few Such
        Other Another One Two Three Is Are Was Were Will Would Could Should Can May Might Do Does Did Has Have
        Had Let Please Yes Only Even Just Earlier Later""",
    ),
    continuation_words=_words(
        """the a an and or but of to in on at for from with by about as that which who than the its his her
        their our your""",
    ),
    title_opens_sentence=True,
)

LANGUAGES: Mapping[str, SentenceRules] = {
    r.language: r for r in (_GERMAN, _FRENCH, _ITALIAN, _SPANISH, _PORTUGUESE, _DUTCH, _ENGLISH)
}


def rules_for(language: str) -> SentenceRules:
    """The rules for ISO 639-1 ``language`` ("de", "fr" …; case and a region such as "pt-BR" ignored).

    A language without a rule set of its own gets the German rules.
    """
    return LANGUAGES.get(language.lower().replace("_", "-").split("-")[0], _GERMAN)
