"""Finds street addresses in Finnish, Swedish and English: street, house number, staircase and
flat, and the postcode after them ("Hämeenkatu 5 A 7, 33100", "Kungsgatan 12, 411 19",
"Flat 2, 14 Baker Street, NW1 6XE"). The town after the postcode stays (towns are not
personal data), and so do the agency's own service points' addresses and public numbers.
The rules are a table for the shared finder (bot/privacy/finders.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from bot.privacy.finders import Check, Rule, either, find, linked_to_keyword
from bot.privacy.places import service_point_addresses
from bot.privacy.spans import NAMED, VALIDATED, Span

# Street words: Finnish (also inflected: "Hämeenkadulla"), Swedish and English.
_FI_STREET = (r"katu|kadu\w*|tie|tie\w{1,5}|kuja|kuja\w{1,5}|polku|polu\w{1,5}|raitti|raiti\w{1,5}|väylä\w{0,5}"
              r"|kaari|kaare\w{1,5}|rinne|rintee\w{1,5}|tori|torilla|ranta|rannan|kehä|aukio|piha|mäki|mäe\w{1,5}"
              r"|portti|ahde|tanhua|laakso|kaarre|linja|bulevardi|esplanadi|puistikko|penger|kujanen|katu\w{0,2}")
_SV_STREET = (r"gatan|gata|vägen|väg|gränd|grand|torget|torg|stigen|backen|allén|allé|leden|plan|promenaden|kajen"
              r"|stråket|esplanaden|esplanad|strand|stranden|parken|kullen|ängen|vägen")
_EN_STREET = (r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Close|Way|Court|Ct\.?|Place|Pl\.?"
              r"|Boulevard|Blvd\.?|Square|Sq\.?|Crescent|Terrace|Gardens|Grove|Row|Hill|Walk|Parade")
# "Vanha Porvoontie", "Östra Hamngatan", "Old Kent Road".
_QUALIFIER = (r"(?:(?:Vanha|Uusi|Iso|Pieni|Pikku|Ala-|Ylä-|Itäinen|Läntinen|Pohjoinen|Eteläinen"
              r"|Gamla|Nya|Stora|Lilla|Östra|Västra|Norra|Södra|Old|New"
              r"|North|South|East|West|Upper|Lower|Great|Little)\s+)?")
_STREET_WORD = (rf"{_QUALIFIER}(?:[A-Za-zÅÄÖåäöÜüÉé][\wÅÄÖåäö'-]*(?:{_FI_STREET}|{_SV_STREET})"
                r"|Esplanaden|Esplanadi|Bulevardi|Strandvägen)")
# "Malmin raitti", "Hervannan valtaväylä": a genitive, then a street word alone or ending a compound.
_TWO_WORD_STREET = (rf"{_QUALIFIER}[A-ZÅÄÖ][\wåäö-]*n\s+[a-zåäö]*(?:raitti|katu|tie"
                    r"|kuja|polku|tori|ranta|aukio|kaari|rinne|väylä|esplanadi)")
_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![\w]))?(?:\s?[-–]\s?\d{1,4})?"
_FLAT = (r"(?:\s*,?\s*(?:[A-Ha-h]\s?\d{1,3}|(?:as\.?|asunto|lgh\.?|lägenhet|bst\.?|apt\.?|flat|apartment|unit"
         r"|bostad)\s*\d{1,4}[a-z]?|\d{1,3}(?=\s*,|\s+\d{3}\s?\d{2}|\s*$)|[A-Ha-h](?![\w])))?")
_POSTCODE = r"(?:\s*,?\s*(?:FI-|SE-|S-)?(?:\d{5}|\d{3}\s\d{2})(?![\w]))?"
_UK_POSTCODE = r"(?:\s*,?\s*[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}(?![\w]))?"

# The flat may come first, as in English: "flat 12, Kauppakatu 3", "apt 4 Rautatienkatu 19".
_FLAT_FIRST = r"(?:(?i:flat|apt\.?|apartment|unit)\s*\d{1,4}[a-z]?\s*,?\s*)?"
NORDIC = re.compile(
    rf"(?<![\w]){_FLAT_FIRST}(?:{_TWO_WORD_STREET}|{_STREET_WORD})\s+{_NUMBER}{_FLAT}{_POSTCODE}(?![\w])")
ENGLISH = re.compile(
    rf"(?<![\w])(?:(?:Flat|Apartment|Apt\.?|Unit)\s*\d{{1,4}}[A-Za-z]?\s*,?\s*)?\d{{1,5}}[A-Za-z]?,?\s+"
    rf"(?:[A-Z][\w'-]+\s+){{0,2}}(?:{_EN_STREET})(?![\w])(?:\s*,?\s*(?:Flat|Apt\.?|Apartment|Unit)\s*\d{{1,4}})?"
    rf"{_UK_POSTCODE}", re.IGNORECASE)
# An address named as one: "osoitteeni on ...", "min adress är ...", "I live at ...".
NAMED_ADDRESS = linked_to_keyword(
    either(r"osoit\w*|asun|asumme|asuin", r"adress\w*|bor|bodde", r"address\w*|live[sd]?|living|moved to"),
    either("on", "är", "is", "at", "på", "i", "in", "nyt", "nu", "now"),
    rf"(?:{_TWO_WORD_STREET}|{_STREET_WORD}|[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?\s+(?:{_EN_STREET}))"
    rf"(?:\s+{_NUMBER}{_FLAT}{_POSTCODE})?")


@lru_cache(maxsize=1)
def _public_streets() -> frozenset[str]:
    """"Malmin raitti 17": the service points' streets and numbers, folded."""
    return frozenset(" ".join(address.split(",")[0].casefold().split()) for address in service_point_addresses())


def _public(found: str) -> bool:
    """A service point's street and number, with its postcode or not, and no flat."""
    street = re.sub(r"\s*,?\s*\d{5}$", "", " ".join(found.casefold().split()))
    return street in _public_streets()


def _unless_public(strength: int) -> Check:
    """A find is an address unless it is a service point's or holds no letter (a date, a sum)."""
    return lambda found: None if _public(found) or not re.search(r"[^\W\d_]", found) else strength


RULES = [
    Rule("address", NORDIC, VALIDATED + 5, _unless_public(VALIDATED + 5)),
    Rule("address", ENGLISH, VALIDATED + 5, _unless_public(VALIDATED + 5)),
    Rule("address", NAMED_ADDRESS, NAMED + 5, _unless_public(NAMED + 5)),
]


def find_addresses(text: str) -> Iterator[Span]:
    return find(text, RULES)
