"""Party names as they are compared: folded (case, accents), legal forms, filler and generic
business words dropped, spelling variants mapped to one form, words sorted; the parts of a
ship-to name; and the ISO country codes the rules accept."""

import re
import unicodedata

from orderdesk_tui.errors import FieldError

# fmt: off
#: ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which trade documents use.
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA
ZM ZW
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())

#: Country names some list files write instead of a code at the end of an address.
COUNTRY_NAMES = {
    "iran": "IR", "russia": "RU", "china": "CN", "syria": "SY", "cuba": "CU", "belarus": "BY",
    "north korea": "KP", "korea north": "KP", "venezuela": "VE", "hong kong": "HK",
    "united arab emirates": "AE", "uae": "AE", "turkey": "TR", "turkiye": "TR",
    "pakistan": "PK", "lebanon": "LB", "burma": "MM", "myanmar": "MM", "iraq": "IQ",
    "united states": "US", "usa": "US", "germany": "DE", "netherlands": "NL",
}

#: Legal forms dropped from names (after dots are removed: S.A. -> sa, B.V. -> bv).
_LEGAL_FORMS = """
inc incorporated corp corporation co cos company companies llc llp lp ltd limited plc pllc
gmbh mbh ag kg kgaa ohg ug se sa sas sasu sarl srl spa sl slu sal bv nv vof cv rl sapi sab
pty pte pvt private oy oyj ab as asa aps kk jsc ojsc cjsc pjsc ooo zao oao pao ao
fze fzc fzco fz dmcc sdn bhd tbk pt sti kft zrt nyrt doo dd ad ead ood sro lda ltda sp zoo ca
"""
LEGAL_FORMS = frozenset(_LEGAL_FORMS.split())
#: Legal forms of several words, removed before the single-word pass.
LEGAL_PHRASES = re.compile(
    r"\b(?:s de rl|s en c|sp z oo|spol s ro|public joint stock|private joint stock|joint stock"
    r"|limited liability|sanayi ve ticaret|ic ve dis ticaret|dis ticaret)\b"
)
#: Words that carry no identity in a name.
_STOPWORDS = (
    "the and of for de del della di da do dos das la las los le les el y e et du des der die "
    "das und von van den al"
)
STOPWORDS = frozenset(_STOPWORDS.split())
#: Generic business words, dropped when something else is left.
_NOISE_WORDS = (
    "trading trade group groupe grupo gruppe gruppo holding holdings international enterprise "
    "enterprises import export imports exports"
)
NOISE_WORDS = frozenset(_NOISE_WORDS.split())
#: Spelling variants mapped to one form.
VARIANTS: dict[str, tuple[str, ...]] = {
    "mideast": ("middle", "east"), "intl": ("international",), "mfg": ("manufacturing",),
    "bros": ("brothers",), "centre": ("center",), "ctr": ("center",), "natl": ("national",),
    "tech": ("technology",), "technologies": ("technology",), "electronic": ("electronics",),
    "svc": ("service",), "svcs": ("services",), "eng": ("engineering",),
}
_FOLD = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
    "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "Þ": "th", "\u0131": "i", "&": " and ",
})
# fmt: on
_JOINERS = re.compile("[.'`\u2019\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")
_SUBPARTS = re.compile("\\s+(?:-|\u2013|\u2014|c/o|attn:?|care of|/)\\s+", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case without accents: 'Hidráulica Aragonesa' -> 'hidraulica aragonesa'."""
    if text.isascii():
        return text.replace("&", " and ").lower()
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def plain_tokens(text: str) -> list[str]:
    """Folded words, dots and apostrophes joined ('S.A.' -> 'sa'), other punctuation split."""
    return _SEPARATORS.sub(" ", _JOINERS.sub("", fold(text))).split()


def name_tokens(text: str) -> list[str]:
    """The words of a party name that identify it (see the module doc for what is dropped)."""
    joined = LEGAL_PHRASES.sub(" ", " ".join(plain_tokens(text)))
    expanded = [v for t in joined.split() for v in VARIANTS.get(t, (t,))]
    core = [t for t in expanded if t not in LEGAL_FORMS and t not in STOPWORDS]
    key = [t for t in core if t not in NOISE_WORDS]
    return key or core or expanded


def normalize_name(text: str) -> str:
    return " ".join(name_tokens(text))


def name_key(text: str) -> str:
    """The sorted-token form that is compared: word order does not matter."""
    return " ".join(sorted(name_tokens(text)))


def name_variants(name: str) -> list[str]:
    """The name and, when it has parts ('Acme - Dock 3', 'X c/o Y'), each part."""
    parts = [p.strip() for p in _SUBPARTS.split(name) if p and p.strip()]
    out = [name.strip()]
    if len(parts) > 1:
        out += parts
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def country_code(value: str, field_name: str) -> str:
    """An ISO 3166 alpha-2 code, upper-cased; FieldError naming `field_name` otherwise."""
    code = (value or "").strip().upper()
    if not code:
        raise FieldError(field_name, "no country given")
    if code not in ISO_COUNTRIES:
        raise FieldError(field_name, f"'{value.strip()}' is not an ISO 3166 country code")
    return code
