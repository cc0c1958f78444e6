"""Finds person names in a message, in Finnish, Swedish and English, inflected and in lower case.

Three sources tell that a word is a name:
- Voikko's first-name and surname classes, which know Finnish inflection
  ("Korhoselle" is Korhonen, "Virtaselta" Virtanen);
- a list of first names and surnames of 105 countries with their best rank,
  extracted once from `names-dataset` (scripts/extract_names.py), looked up as
  typed and with a Finnish case ending taken off ("Haddadille", "Omar:lle");
- the words around it: "nimeni on", "jag heter", "my husband", a greeting or a
  signature, and another name next to it ("Nguyen Thi Lan").

A name that is also an ordinary word (Anna, May, Will, Tuuli) counts only
beside a cue or another name. Place names, countries, languages, the agency's
service points and agencies are never names.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.privacy.spans import SHAPE, VALIDATED, Span

NAMES_FILE = Path(__file__).parent / "data" / "names.txt"
LOWER_CASE_RANK = 60     # a lower-case word alone is a name only when this popular somewhere
CAPITALISED_RANK = 2500  # every listed name
STRIPPED_RANK = 1000     # a name found under a case ending ("Haddadille") must be this common
PLACE_AS_NAME_RANK = 300  # a place name to Voikko is taken for a surname alone only when this common

WORD = re.compile(r"(?<![\w])[^\W\d_](?:[\w'’-]*[^\W\d_])?(?::[^\W\d_]+)?(?![\w])")
SENTENCE_END = re.compile(r"(?:^|[.!?;:\n]|\s-)\s*$")

# Finnish case endings, longest first: "Haddadille" -> Haddad, "Leilan" -> Leila.
_ENDINGS = sorted({
    "lle", "lla", "llä", "lta", "ltä", "ssa", "ssä", "sta", "stä", "ksi", "na", "nä", "n", "a", "ä", "ia", "iä",
    "ille", "illa", "illä", "ilta", "iltä", "issa", "issä", "ista", "istä", "in", "iin", "aan", "ään", "een",
    "oon", "uun", "yyn", "hin", "kin", "kaan", "kään", "ineen", "tä", "ta", "ien", "jen", "ja", "jä",
    "s", "'s", "’s", "s'",
}, key=len, reverse=True)

_GENITIVES = {"s", "'s", "’s", "s'"}
# Titles written with a full stop, which then ends no sentence ("Mr. Sami Laaksonen").
_TITLES = {"mr", "mrs", "ms", "dr"}
# A place word or language that is also a common name joins a name beside it ("Maria Cristina Garcia",
# "Mr. Sami Laaksonen", "Sofia Lindqvists").
PLACE_BESIDE_NAME_RANK = 300

# Words after which a name follows: after a strong cue also an unlisted or lower-case one
# ("nimeni on omar haddad"), after a weak cue (a greeting, "olen") only a capitalised listed name.
_STRONG_CUES = (
    r"nimeni|nimi|nimensä|nimellä|niminen|nimiseltä|nimiselle|mieheni|miehen|mies|vaimoni|vaimo|vaimon|"
    r"poikani|poika|tyttäreni|tytär|lapseni|lapsen|äitini|äiti|isäni|isä|veljeni|veli|siskoni|sisko|sisareni|"
    r"puolisoni|puoliso|avopuolisoni|serkkuni|setäni|tätini|mummo|mummoni|vaari|ukki|herra|rouva|neiti|"
    r"virkailija|virkailijan|virkailijalta|virkailijalle|hakija|hakijan|terveisin|t|yst|"
    r"heter|namn|namnet|man|fru|make|maka|sambo|son|sonen|dotter|dottern|mamma|pappa|mor|far|bror|syster|"
    r"barn|handläggare|handläggaren|herr|hälsningar|mvh|"
    r"name|named|called|husband|wife|spouse|partner|son|daughter|mother|mom|mum|father|dad|brother|sister|"
    r"child|cousin|uncle|aunt|mr|mrs|ms|miss|dr|officer|caseworker|regards|sincerely|thanks|cheers|"
    r"applicant|sponsor|employee|employer's"
)
_WEAK_CUES = r"olen|oon|tässä|täällä|hei|moi|terve|är|hej|hejsan|am|i'm|im|this|here|hi|hello|dear"
_FILLERS = {"on", "oli", "är", "var", "is", "was", "'s", "nimi", "nimeltä", "name", "namn", "heter", "called",
            "named", "mun", "minun", "my", "min", "mitt", "hänen", "his", "her", "hans", "hennes", "the", "of",
            "ja", "och", "and", "sekä", "is:", "it's"}
# After these a capitalised word is a place ("he is in London", "bank in Erbil", "hem i Stockholm").
_PLACE_PREPOSITIONS = {"in", "i", "från", "from", "at", "på", "near", "nära", "inom", "within", "kohti"}
_TOWARDS = {"to", "till", "into"}  # ... when the word is also a place to Voikko ("from Vaasa to Kokkola")
# "al-sayed", "bin Laden", "van der Berg": a surname's particle, also in lower case.
_PARTICLE = re.compile(r"(?:al|el|ul|bin|ibn|abu|van|von|der|de|da|di|le|la)(?:-[^\W\d_]+)?$")
POSTCODE_BEFORE = re.compile(r"(?<![\w-])(?:\d{5}|\d{3} \d{2})\s*,?\s*$")
STRONG_CUE = re.compile(rf"(?i)(?:{_STRONG_CUES})")
WEAK_CUE = re.compile(rf"(?i)(?:{_WEAK_CUES})")

NAME, AMBIGUOUS, PLACE, ORDINARY, UNKNOWN = "name", "ambiguous", "place", "ordinary", "unknown"
# Voikko's closed word classes: a sentence's first word read so is that word, not a name's case form.
FUNCTION_WORD_CLASSES = frozenset({"seikkasana", "asemosana", "sidesana", "kieltosana", "suhdesana", "huudahdussana"})


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    capitalised: bool
    sentence_start: bool


@lru_cache(maxsize=1)
def name_list() -> dict[str, int]:
    """Folded name -> its best rank in any country, negative when it is also an ordinary word (one int
    a name instead of a tuple: the list of 247,000 names holds about 20 MB less)."""
    names: dict[str, int] = {}
    for line in NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, rank, *flags = line.split("\t")
            names[sys.intern(name.casefold())] = -int(rank) if flags else int(rank)
    return names


def _entry(name: str) -> tuple[int, bool] | None:
    """(rank, also an ordinary word) of a folded name in the list."""
    value = name_list().get(name)
    return None if value is None else (abs(value), value < 0)


@lru_cache(maxsize=1)
def kept_words() -> frozenset[str]:
    """Countries, major languages, months and weekdays (fi/sv/en, Babel), towns of the time zone
    database, the agency's service points and the listed agencies: never names."""
    import zoneinfo

    import babel

    from bot.privacy.places import public_place_words

    words: set[str] = set(public_place_words())
    values: list[str] = []
    for language in ("fi", "sv", "en"):
        locale = babel.Locale(language)
        values += locale.territories.values()
        values += [name for code, name in locale.languages.items() if len(code) == 2]
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                values += locale.months[context][width].values()
                values += locale.days[context][width].values()
    values += [zone.rsplit("/", 1)[-1] for zone in zoneinfo.available_timezones() if "_" not in zone]
    for value in values:
        words |= {w.casefold().rstrip(".") for w in WORD.findall(value)}
    return frozenset(words)


@lru_cache(maxsize=1)
def own_words() -> frozenset[str]:
    """Words the assistant's own texts use in lower case ("botti", "chatbot", "kundrådgivningen"):
    ordinary words of the agency's language, so a listed name spelt the same ("Botti" is an Italian
    surname) counts only beside a cue or another name, as "Anna" does."""
    from bot.knowledge.catalogue import all_texts

    words: set[str] = set()
    for text in all_texts():
        words |= {word for word in WORD.findall(re.sub(r"\{[^}]*\}", " ", text.template)) if word.islower()}
    return frozenset(words)


@lru_cache(maxsize=1)
def _voikko():  # noqa: ANN202 - libvoikko.Voikko, or None where Voikko is not installed
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except (ImportError, OSError):
        return None


@lru_cache(maxsize=100_000)
def voikko_analysis(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(word classes, base forms) of a Finnish word form."""
    voikko = _voikko()
    if voikko is None or not word.replace("-", "").isalpha():
        return frozenset(), frozenset()
    analyses = voikko.analyze(word)
    return (frozenset(str(a.get("CLASS")) for a in analyses),
            frozenset(str(a.get("BASEFORM", "")).casefold() for a in analyses))


def _listed(word: str) -> tuple[int, bool] | None:
    folded = word.casefold().replace("’", "'")
    stem = folded.split(":")[0]
    found = _entry(folded) or _entry(stem)
    if found is not None or not word[:1].isupper():
        return found
    for ending in _ENDINGS:  # a Finnish case ending on a foreign name: "Haddadille", "Omarin"
        base = stem[:-len(ending)]
        shortest = 3 if ending in _GENITIVES else 4  # "Idas kollega"
        if stem.endswith(ending) and len(base) >= shortest:
            found = _entry(base)
            if found is not None and found[0] <= STRIPPED_RANK and not found[1]:
                return found
    return None


@dataclass(frozen=True)
class Reading:
    kind: str            # NAME, AMBIGUOUS, PLACE, ORDINARY or UNKNOWN
    rank: int            # best rank as a name in any country (CAPITALISED_RANK when unlisted)
    listed: bool         # in the name list, or a name to Voikko
    place_too: bool      # also a place name to Voikko ("Kokkola")
    finnish_name: bool = False  # a first name or surname to Voikko
    function_word: bool = False  # also an adverb, pronoun, conjunction or the like ("Milloin": Milla's, or "when")


@lru_cache(maxsize=100_000)
def classify(word: str) -> Reading:
    """What a word as typed may be."""
    folded = word.casefold()
    stem = folded.split(":")[0]
    classes, baseforms = voikko_analysis(stem)
    kept = kept_words()
    if stem in kept or folded in kept or baseforms & kept:
        return Reading(PLACE, 0, False, True)
    listed = _listed(word) or min((found for found in map(_entry, baseforms) if found), default=None)
    if listed and stem in own_words():
        listed = (listed[0], True)
    rank = listed[0] if listed else CAPITALISED_RANK
    person = classes & {"etunimi", "sukunimi"}
    other = classes - {"etunimi", "sukunimi", "paikannimi"}
    place = "paikannimi" in classes
    if place and not person:
        if listed and listed[0] <= 300 and not listed[1]:  # "Niemisen": a place, and a common surname
            return Reading(AMBIGUOUS, listed[0], True, True)
        return Reading(PLACE, 0, False, True)
    if person:  # an ordinary word of Swedish or English too ("inga") is ambiguous
        rank = rank if listed else CAPITALISED_RANK if place else 100
        ambiguous = bool(other) or place or bool(listed and listed[1])
        return Reading(AMBIGUOUS if ambiguous else NAME, rank, True, place, True, bool(other & FUNCTION_WORD_CLASSES))
    if other:
        return Reading(ORDINARY, rank, bool(listed), False)
    if listed:
        return Reading(AMBIGUOUS if listed[1] else NAME, rank, True, False)
    return Reading(UNKNOWN, rank, False, False)


def words(text: str) -> list[Word]:
    found = []
    for match in WORD.finditer(text):
        token = match.group(0)
        found.append(Word(match.start(), match.end(), token, token[0].isupper(),
                          bool(SENTENCE_END.search(text[:match.start()]))))
    return found


def _joined(text: str, left: Word, right: Word) -> bool:
    """Two words with only spaces or a hyphen between them ("Omar Haddad", "Anna-Liisa")."""
    return re.fullmatch(r"[ \t]{1,2}|-", text[left.end:right.start]) is not None


def _town(reading: Reading) -> bool:
    """A place to Voikko that is rarely a surname ("Kokkola", unlike "Heikkilä")."""
    return reading.place_too and reading.rank > PLACE_AS_NAME_RANK


def _shaped_like_name(token: Word) -> bool:
    """Not an acronym ("YKI") nor a brand written in camel case ("MobilePay")."""
    text = token.text
    if text.isupper() and len(text) <= 4:
        return False
    return not re.search(r"[a-zåäö][A-ZÅÄÖ]", text)


def _common_name(token: Word) -> bool:
    """A capitalised place word or language that is also a common name ("Sofia", "Sami", "Garcia")."""
    found = _entry(token.text.casefold())
    return token.capitalised and found is not None and not found[1] and found[0] <= PLACE_BESIDE_NAME_RANK


def find_names(text: str) -> Iterator[Span]:
    tokens = words(text)
    readings = [classify(t.text) for t in tokens]
    is_name = [False] * len(tokens)
    folded = [t.text.casefold() for t in tokens]
    after_place_word = [i > 0 and not re.search(r"['’]s$", folded[i]) and (
        folded[i - 1] in _PLACE_PREPOSITIONS or folded[i - 1] in _TOWARDS and readings[i].place_too)
        for i in range(len(tokens))]
    # A town after a postcode: "652 24 Karlstad", "00100 Helsinki".
    for i, token in enumerate(tokens):
        if POSTCODE_BEFORE.search(text, 0, token.start):
            after_place_word[i] = True
            readings[i] = Reading(PLACE, 0, False, True)

    # Names on their own: a listed name as typed; capitalised inside a sentence even when it
    # is also a word ("soitin Laineelle", "Thank you Grace"); in lower case only when common as a name.
    for i, token in enumerate(tokens):
        reading = readings[i]
        if len(token.text) < 3 or after_place_word[i] or not _shaped_like_name(token) or _town(reading):
            continue  # two letters alone ("Kl. 12") are rarely a name; "Li Wei" is found beside "Wei"
        if token.capitalised and not token.sentence_start:
            is_name[i] = reading.kind in (NAME, AMBIGUOUS) or reading.kind == ORDINARY and reading.listed
        elif token.capitalised:  # a Finnish name in any case ending ("Jukalle voi soittaa"), not "Milloin ..."
            is_name[i] = reading.kind == NAME or (reading.kind == AMBIGUOUS and reading.finnish_name
                                                  and not reading.function_word)
        else:
            is_name[i] = reading.kind == NAME and reading.rank <= LOWER_CASE_RANK and len(token.text) >= 3

    # After a cue: "nimeni on omar haddad", "min dotter Leila", "terveisin Matti".
    for i in range(len(tokens)):
        strong = STRONG_CUE.fullmatch(folded[i]) is not None
        if not strong and WEAK_CUE.fullmatch(folded[i]) is None:
            continue
        j = i + 1
        while j < len(tokens) and j - i <= 3 and folded[j] in _FILLERS and not tokens[j].capitalised:
            j += 1
        taken = 0
        while j < len(tokens) and taken < 4 and (taken == 0 or _joined(text, tokens[j - 1], tokens[j])):
            reading, token = readings[j], tokens[j]
            if token.capitalised:
                fits = reading.kind in (NAME, AMBIGUOUS, UNKNOWN) if strong else reading.listed
                fits = fits or reading.kind == ORDINARY and reading.listed
            else:
                fits = len(token.text) >= 3 and reading.kind == NAME  # "hej ja e olena"
            between = text[tokens[i].end:token.start]
            if taken == 0 and re.search(r"[.!?]", between) and not (
                    folded[i] in _TITLES and re.fullmatch(r"\.\s*", between)):
                break  # a cue reaches no further than its sentence
            if not fits or reading.kind == PLACE or len(token.text) < 2 or after_place_word[j] or _town(reading) \
                    or not strong and not _shaped_like_name(token):  # "Hello, my PIN is"
                break
            is_name[j] = True
            taken += 1
            j += 1

    # Beside a name: capitalised words next to one ("Nguyen Thi Lan", "Ahmed Ali", "Omar Xyzzy").
    changed = True
    while changed:
        changed = False
        for i in range(len(tokens)):
            if is_name[i] or len(tokens[i].text) < 2 or readings[i].kind == PLACE and (
                    after_place_word[i] or not _common_name(tokens[i])):
                continue
            beside = any(0 <= k < len(tokens) and is_name[k]
                         and _joined(text, *sorted((tokens[i], tokens[k]), key=lambda t: t.start))
                         for k in (i - 1, i + 1))
            if not beside:
                continue
            reading = readings[i]
            if tokens[i].capitalised and tokens[i].sentence_start and reading.kind != NAME and not (
                    i + 1 < len(tokens) and is_name[i + 1] and tokens[i + 1].capitalised):
                continue  # "Skriv Inga ...": a sentence's first word joins only a capitalised name after it
            if tokens[i].capitalised and (reading.kind in (NAME, AMBIGUOUS, UNKNOWN) or reading.listed
                                          or _common_name(tokens[i])) \
                    or not tokens[i].capitalised and (reading.kind == NAME or _PARTICLE.match(folded[i])):
                is_name[i] = changed = True

    for i, token in enumerate(tokens):
        if is_name[i]:
            yield Span(token.start, token.end, "name", VALIDATED if readings[i].kind == NAME else SHAPE)
