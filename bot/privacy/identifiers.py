"""Finds identifiers and contact details in a message: identity codes, personnummer, IBANs,
passports, permit cards, PINs and codes, dates of birth, phone numbers, e-mail addresses,
reservation keys and customer numbers.

A value named by its keyword ("passinumeroni on ...", "the code they sent me is ...",
"synnyin Kabulissa 14.2.88") is found with a few words between keyword and value and
in any inflection of the keyword. Bare values are taken when their shape is
distinctive or a library validates them: python-stdnum (Finnish identity codes,
Swedish personnummer, IBAN mod-97) and phonenumbers (numbers of every country).
Business IDs (Y-tunnus) are not personal data and are left alone. The rules are a table
for the shared finder (bot/privacy/finders.py).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fi import hetu

from bot.privacy.finders import Check, IsPublic, Rule, after_keyword, either, find, never_public
from bot.privacy.spans import CHECKED, NAMED, SHAPE, VALIDATED, WEAK, Span

_MONTHS = (
    # Finnish (partitive, genitive, abbreviations), Swedish, English.
    r"(?:tammi|helmi|maalis|huhti|touko|kesä|heinä|elo|syys|loka|marras|joulu)(?:kuuta|kuun|kuu|k\.?)"
    r"|jan(?:uari|uary)?|feb(?:ruari|ruary)?|febr|mars?|march|apr(?:il)?|maj|may|jun[ie]?|june|jul[iy]?"
    r"|aug(?:usti|ust)?|sep(?:t(?:ember)?)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORDINAL = r"(?:st|nd|rd|th|\.|:e|:a)?"
_YEAR = r"(?:(?:19|20)?\d\d|[-'’]\d\d)"
DATE = (
    rf"\d{{1,2}}\s?[./-]\s?\d{{1,2}}\s?[./-]\s?{_YEAR}"
    r"|(?:19|20)\d\d\s?[-./]\s?(?:1[0-2]|0?[1-9])\s?[-./]\s?\d{1,2}"
    rf"|(?:den\s+|the\s+)?{_DAY}{_ORDINAL}(?:\s+(?:of|päivä))?\s+(?:{_MONTHS})\.?,?\s+{_YEAR}"
    rf"|(?:{_MONTHS})\.?\s+(?:the\s+)?{_DAY}{_ORDINAL},?\s+{_YEAR}"
)
DIGITS = r"\d(?:[ -]?\d){%d,%d}"
# The words that name each kind of value, in Finnish, Swedish and English (any inflection follows).
KEYWORDS = {
    "date_of_birth": either(r"synty|synny|syntymä|synt\.|s\.|född|föd|fött|födelse",
                            r"birth|born|dob|d\.o\.b|b\.|bday|date of birth", r"syntymäp"),
    # a PIN, password or one-time code; never a postcode
    "pin": r"(?!\w*(?:post|zip|area|country|maa|land|promo|qr))(?:" + either(
        r"pin|otp|passcode|password|passwd|passwort", r"tunnuslu|salasan|lösen|\w*koodi|\w*kod(?:en|er|erna)?\b",
        r"\w*code|one[- ]time|engångs|verifier") + ")",
    # also ending a compound: "nätbankslösenord", "verkkopankkisalasana"
    "password": either(r"\w*(?:password|passwd|salasan|lösen|passcode)", r"koodi|kod|code"),
    "customer_number": either(r"asiakasnum|asiakasnro|asiakas-?nro", r"kundnum|kundnr|kund-?nr",
                              r"customer (?:number|no|nr|id)|client n"),
    "reservation_key": either(r"varaustun|varauskoodi|varausnum|varausavain|varaus-?id",
                              r"bokningskod|reservationskod|bokningsnum|bokningsnyckel|bokningsreferens",
                              r"reservation (?:key|code|number|id)|booking (?:key|reference|ref|code|number|id)"),
    "passport": either(r"passi|pass(?:et|ets|nummer|numret|numr|nr|number|no)?\b|passport|matkustusasiakir",
                       r"resedokument|travel document"),
    "permit_card": either(r"oleskelulupakort|oleskelukort|lupakort|kortin|kortti|korttini|korttinum",
                          r"uppehållstillståndskort|uppehållskort|kort\b|kortet|kortnummer|tillståndskort",
                          r"card|rp card|permit card|residence card"),
    "iban": either(r"iban|tilinum|tilinro|tili\b|tilille|pankkitili", r"kontonum|konto\b|bankkonto", r"account"),
    "phone": either(r"puhelin|puh\.?|gsm|kännykkä|kännyk|numeroon|numero|nro|puhnro|tekstari|soita",
                    r"telefon|tel\.?|tfn|mobil", r"phone|mobile|cell|whatsapp|sms|ring|call|number|nummer"),
    "identity_code": either(r"henkilötun|hetu|sotu", r"personbeteckning",
                            r"identity code|personal identity|id code|id-code|id number"),
    "personnummer": either(r"personnum|personnr|person-?nr",
                           r"personal (?:identity )?number|personal id|swedish (?:id|personal)"),
}
_PASSWORD = r"(?=\S*\d)(?=\S*[^\W\d_])[^\s,;]{4,24}(?<![.!?])"
# Crockford base32 as typed, with O, I, L and U that people type for 0 and 1.
# Twelve characters together or in three groups of four, not one group of a longer number (an IBAN).
_KEY = (r"(?<!\d[ -])(?<!\d\w[ -])(?<!\d\w\w[ -])(?<!\d\w\w\w[ -])"
        r"(?:[0-9A-Za-z]{12}|[0-9A-Za-z]{4}([ -])[0-9A-Za-z]{4}\1[0-9A-Za-z]{4})"
        r"(?![ -](?=[0-9A-Za-z]{0,3}\d)[0-9A-Za-z]{1,4}(?!\w))")
# A passport or permit card number: letters and at least six digits ("FA482913", "72 4810392").
_DOCUMENT = r"(?=(?:[A-Za-z]{1,3}|\d\d[ -]?)?(?:\d[ -]?){6})(?:[A-Za-z]{1,3}|\d\d[ -]?)?\d[0-9A-Za-z]{4,10}"
_PHONE_VALUE = r"\+?\(?\d[\d ()-]{5,18}\d"
_HETU = r"\d{6}\s?[-+A-FU-Ya-fu-y ]?\s?\d{3}\s?[0-9A-Ya-y]"


def _plausible_date(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _hetu(code: str, named: bool) -> int | None:
    """Strength of a Finnish identity code as typed (with a space or without its separator)."""
    compact = re.sub(r"\s", "", code).upper()
    if len(compact) == 10:  # the separator left out, or typed as a space
        compact = compact[:6] + "-" + compact[6:]
    if not _plausible_date(int(compact[:2]), int(compact[2:4])):
        return None
    if hetu.is_valid(compact[:6] + "-" + compact[7:]) or hetu.is_valid(compact):
        return CHECKED
    return NAMED if named else VALIDATED + 1 if compact[6] in "-+ABCDEFUVWXY" else None


def _personnummer(number: str, named: bool) -> int | None:
    digits = re.sub(r"\D", "", number)
    if len(digits) == 12:
        digits = digits[2:]
    if len(digits) != 10 or not _plausible_date(int(digits[4:6]) % 60, int(digits[2:4])):
        return None
    if luhn.is_valid(digits):
        return CHECKED if named or re.search(r"\d\s?[-+]\s?\d", number) else VALIDATED
    return NAMED if named else None


def _birth_year_ok(year: str) -> bool:
    year = year.lstrip("-'’")
    if len(year) == 2:
        return int(year) > datetime.date.today().year % 100  # "14.2.88"; "1.2.25" is more likely a deadline
    return 1900 <= int(year) <= datetime.date.today().year - 10


def _date_of_birth(found: str) -> int | None:
    """A date typed alone is taken for a date of birth when its year is long enough ago."""
    numbers = re.findall(r"[-'’]?\d+", found)
    year = numbers[0] if re.match(r"(?:19|20)\d\d\s?[-./]", found) else numbers[-1]
    return SHAPE if _birth_year_ok(year) else None


def _iban(found: str) -> tuple[int, int] | None:
    """(length, strength) of the IBAN at the start of `found`: the longest run of groups that
    passes mod-97, or one long enough to be an account number named as one."""
    groups = list(re.finditer(r"[A-Za-z0-9]+", found))
    for count in range(len(groups), 0, -1):
        candidate = found[:groups[count - 1].end()]
        compact = re.sub(r"[\s-]", "", candidate)
        if 15 <= len(compact) <= 34 and stdnum_iban.is_valid(compact, check_country=False):
            return len(candidate), CHECKED
    digits_only = [g for g in groups[1:] if g.group(0).isdigit()]
    if groups and len("".join(g.group(0) for g in groups[:1 + len(digits_only)])) >= 14:
        return groups[len(digits_only)].end(), SHAPE
    return None


_E_MAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "omar dot haddad at gmail dot com", "anna(at)exempel.se", "priya [at] yahoo [dot] in", "snabel-a".
_DOT_WORD = r"(?:\s+(?:dot|piste|punkt|pist)\s+)"
_DOT_MARK = r"(?:\s*(?:\.|\(dot\)|\[dot\]|\{dot\}|\(piste\)|\(punkt\))\s*)"
_AT = r"(?:\s*(?:\(at\)|\[at\]|\{at\}|\(a\)|\(ät\)|@)\s*|\s+(?:at|ät|snabel-?a|miukumauku|ätt)\s+)"
_TLD = r"(?:com|net|org|fi|se|info|io|co|uk|de|ru|edu|gov|eu|nu|me|ee|no|dk|in|pk|ng|ir|iq|tr|ua|cn|vn|ph|so|af|sy)"
_SPELLED_E_MAIL = re.compile(
    rf"(?i)(?<![\w.+-])[\w+-]+(?:(?:{_DOT_MARK}|{_DOT_WORD})[\w+-]+)*{_AT}[\w-]+"
    rf"(?:(?:{_DOT_MARK}|{_DOT_WORD})[\w-]+)*(?:{_DOT_MARK}[a-z]{{2,4}}|{_DOT_WORD}{_TLD})(?![\w])")


def _named_then(check: Callable[[str, bool], int | None]) -> Check:
    return lambda found: check(found, True)


def _key_shape(found: str) -> int | None:
    """A bare key has digits and letters; grouped in fours it is unmistakable ("8LWY HYJN 7U32")."""
    if not (re.search(r"\d", found) and re.search(r"[A-Za-z]", found)):
        return None
    return NAMED + 2 if len(re.findall(r"[ -]", found)) == 2 else SHAPE


RULES: list[Rule] = [
    Rule("identity_code", after_keyword(KEYWORDS["identity_code"], _HETU), NAMED, _named_then(_hetu)),
    Rule("identity_code", re.compile(rf"(?<![\w-]){_HETU}(?![\w-])"), SHAPE, lambda found: _hetu(found, False)),
    Rule("personnummer", after_keyword(KEYWORDS["personnummer"], r"(?:19|20)?\d{6}\s?[-+]?\s?\d{4}"),
         NAMED, _named_then(_personnummer)),
    Rule("personnummer", re.compile(r"(?<![\w-])(?:19|20)?\d{6}\s?[-+]?\s?\d{4}(?![\w-])"), SHAPE,
         lambda found: _personnummer(found, False)),
    Rule("email", _E_MAIL, VALIDATED),
    Rule("email", _SPELLED_E_MAIL, VALIDATED),
    Rule("reservation_key", after_keyword(KEYWORDS["reservation_key"], _KEY, gap=4), NAMED + 2),
    Rule("reservation_key", re.compile(rf"(?<![\w-]){_KEY}(?![\w-])"), SHAPE, _key_shape),
    Rule("customer_number", after_keyword(KEYWORDS["customer_number"], DIGITS % (5, 9)), NAMED + 1),
    Rule("customer_number", re.compile(r"(?<![\w-])\d{4}[ -]?\d{4}(?![\w-])"), SHAPE,
         lambda found: None if re.fullmatch(r"(?:19|20)\d\d\s?-\s?(?:19|20)\d\d", found) else SHAPE),
    Rule("passport", after_keyword(KEYWORDS["passport"], _DOCUMENT, gap=4), NAMED + 1),
    Rule("passport", re.compile(r"(?<![\w-])[A-Z]{1,3}\d{6,8}[A-Z]?(?![\w-])"), SHAPE),
    Rule("permit_card", after_keyword(KEYWORDS["permit_card"], _DOCUMENT, gap=4), NAMED + 1),
    Rule("date_of_birth", after_keyword(KEYWORDS["date_of_birth"], DATE, gap=4), NAMED),
    Rule("date_of_birth", re.compile(rf"(?i)(?<![\w.]){DATE}(?![\w])"), SHAPE, _date_of_birth),
    Rule("pin", after_keyword(KEYWORDS["pin"], DIGITS % (3, 7), gap=5), NAMED),
    Rule("pin", after_keyword(KEYWORDS["password"], _PASSWORD, gap=5), NAMED + 1),
    Rule("pin", re.compile(r"(?<![\w.,])\d{6}(?![\w]|[.,]\d)"), WEAK),
    Rule("phone", after_keyword(KEYWORDS["phone"], _PHONE_VALUE, gap=3), NAMED - 1),
    Rule("number", re.compile(r"(?<!\d)\d{9,}(?!\d)"), WEAK),
]
# Written together, or in groups of at most four after the country code and check digits.
_IBAN = r"[A-Za-z]{2}\d\d(?:[A-Za-z0-9]{11,30}|(?:[ -][A-Za-z0-9]{1,4}){3,8})"
_IBAN_START = re.compile(rf"(?<![\w]){_IBAN}")
_IBAN_NAMED = after_keyword(KEYWORDS["iban"], _IBAN, gap=4)


def _phone_spans(text: str) -> Iterator[Span]:
    if sum(c.isdigit() for c in text) < 6:
        return
    for found in phonenumbers.PhoneNumberMatcher(text, "FI", leniency=phonenumbers.Leniency.POSSIBLE):
        raw = found.raw_string
        digits = re.sub(r"\D", "", raw)
        if raw.startswith(("+", "00")) and len(digits) >= 8:
            yield Span(found.start, found.end, "phone", VALIDATED)
        elif raw.lstrip("(").startswith("0") and len(digits) >= 7 and not re.fullmatch(r"[\d.]+", raw) and (
                phonenumbers.is_valid_number(found.number) or _valid_in(raw, "SE")):
            yield Span(found.start, found.end, "phone", VALIDATED)
        elif raw.lstrip("(").startswith("0") and len(digits) >= 9 and re.fullmatch(r"[\d ()-]+", raw):
            yield Span(found.start, found.end, "phone", SHAPE)


def _valid_in(raw: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return False


def _iban_spans(text: str, is_public: IsPublic) -> Iterator[Span]:
    named = {start for start, _ in _IBAN_NAMED.spans(text, is_public)}
    for match in _IBAN_START.finditer(text):
        found = _iban(match.group(0))
        if found is not None:
            length, strength = found
            yield Span(match.start(), match.start() + length, "iban",
                       max(strength, NAMED) if match.start() in named else strength)


def find_identifiers(text: str, is_public: IsPublic = never_public) -> Iterator[Span]:
    """Every candidate identifier in `text`, overlapping; `spans.choose` picks among them.
    `is_public` tells values that are not personal data (the agency's numbers)."""
    yield from find(text, RULES, is_public)
    yield from _iban_spans(text, is_public)
    yield from _phone_spans(text)
