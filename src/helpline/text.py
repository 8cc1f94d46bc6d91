"""Text normalisation for matching: one form for English, Urdu script and Roman Urdu with typos.

What it folds, and why:

- case, punctuation and white space (workers type in any case, with or without punctuation);
- Arabic-script letter variants that keyboards mix up: Arabic yeh/alef maksura → Farsi yeh (ی), Arabic kaf →
  keheh (ک), heh/heh goal/do-chashmi heh/teh marbuta → ہ, hamza carriers → bare letters; diacritics (zer, zabar,
  pesh...), tatweel and zero-width joiners are dropped;
- Urdu (۰–۹) and Arabic-Indic (٠–٩) digits → ASCII digits;
- Roman Urdu spelling variants (kia/kya, hy/hai, mujhy/mujhe, nai/nahi...) → one canonical spelling.

Stop words are removed by :func:`tokens` only; :func:`normalize` keeps every word.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LETTER_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
        "\u0626": "\u06cc",  # YEH WITH HAMZA -> FARSI YEH
        "\u06d3": "\u06d2",  # YEH BARREE WITH HAMZA -> YEH BARREE
        "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
        "\u0647": "\u06c1",  # HEH -> HEH GOAL
        "\u06be": "\u06c1",  # HEH DOACHASHMEE -> HEH GOAL
        "\u06c3": "\u06c1",  # TEH MARBUTA GOAL -> HEH GOAL
        "\u0629": "\u06c1",  # TEH MARBUTA -> HEH GOAL
        "\u06c2": "\u06c1",  # HEH GOAL WITH HAMZA -> HEH GOAL
        "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
        "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
        "\u0622": "\u0627",  # ALEF WITH MADDA -> ALEF
        "\u0671": "\u0627",  # ALEF WASLA -> ALEF
        "\u0624": "\u0648",  # WAW WITH HAMZA -> WAW
        "\u0640": None,  # TATWEEL
        "\u200c": None,  # ZERO WIDTH NON-JOINER
        "\u200d": None,  # ZERO WIDTH JOINER
        "\u200b": None,  # ZERO WIDTH SPACE
        "\u200f": None,  # RIGHT-TO-LEFT MARK
        "\u200e": None,  # LEFT-TO-RIGHT MARK
        "\ufeff": None,  # BYTE ORDER MARK
    }
)
# Urdu (extended Arabic-Indic) and Arabic-Indic digits -> ASCII.
_DIGITS = str.maketrans({**{chr(0x06F0 + i): str(i) for i in range(10)}, **{chr(0x0660 + i): str(i) for i in range(10)}})
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_NON_WORD = re.compile(r"[^\w]+|_")
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile("[a-zA-Z]")

# Roman Urdu spelling variants -> canonical spelling. Only words that matter for matching or language
# detection; the matcher's token-level fuzzy matching covers the long tail of typos.
ROMAN_VARIANTS: dict[str, tuple[str, ...]] = {
    "kya": ("kia", "kiya", "kyaa", "kyu", "kiaa"),
    "hai": ("hy", "he", "hay", "hae", "h", "haai", "ha"),
    "hain": ("hen", "hein", "hn", "hai'n"),
    "mujhe": ("mujhy", "mujhay", "mjhe", "mjhy", "mje", "mujhey", "muje", "mujy"),
    "nahi": ("nai", "nhi", "nahin", "nahee", "nhn", "nahy", "ni", "nahe", "nae"),
    "kaise": ("kese", "kaisay", "kesay", "kaisy", "kaesay", "kesy", "kaisey", "kase"),
    "kahan": ("kahaan", "kaha", "kidhar", "kdhr"),
    "karna": ("krna", "karnaa", "krnaa"),
    "karni": ("krni",),
    "karwani": ("krwani", "karwni", "krwni", "karwaani"),
    "kar": ("kr",),
    "raha": ("rha",),
    "rahi": ("rhi",),
    "sakta": ("skta", "sakte", "skte", "sakti", "skti"),
    "paise": ("pese", "paisay", "pesay", "paisa", "pesa", "paisey"),
    "tankhwah": ("tankha", "tankhwa", "tankhah", "tnkhwa", "tankhuwah", "tankhaw", "tankwah", "tankhuah"),
    "shikayat": ("shikayt", "shkyt", "shikait", "shikaayat", "shikyat", "shakayat", "shikaiat"),
    "mahine": ("mahina", "mahinay", "mahiney", "mhine", "mahene", "maheene", "mahinon"),
    "kaam": ("kam",),
    "bhai": ("bhae", "bhaai"),
    "aur": ("or", "aor"),
    "bhi": ("b", "bi"),
    "main": ("mein", "mai", "me", "mn", "men", "mien"),
    "ke": ("k", "kay", "key"),
    "ki": ("ky",),
    "hua": ("howa", "huwa", "hwa"),
    "gaya": ("gya", "geya", "gia"),
    "gayi": ("gyi", "gai", "gayee", "gaye"),
    "chahiye": ("chahye", "chahiyay", "chaheye", "chaiye", "chahie", "chahiay"),
    "baat": ("bat",),
    "kyun": ("kyon", "kiun", "q", "kiyun"),
    "pata": ("pta",),
    "mera": ("mra", "meraa"),
    "meri": ("mri",),
    "mere": ("mre",),
    "apna": ("apnaa",),
    "wapas": ("wapis", "wapass", "vapas", "vapis"),
    "zaban": ("zuban", "zubaan", "zabaan"),
    "madad": ("madd", "mdd"),
    "shukriya": ("shukria", "shukriyah", "shukrya", "thx"),
    "please": ("plz", "pls", "plzz", "plss"),
    "salam": ("slam", "salaam", "aoa", "asalam", "assalam", "assalamualaikum", "asalamualaikum", "salamalaikum"),
}
_ROMAN_CANON: dict[str, str] = {v: k for k, vs in ROMAN_VARIANTS.items() for v in vs}

_STOP_WORDS_AS_TYPED = frozenset(
    """
    a an the i me my mine we our you your he she it its they them their this that these those is am are was were
    be been being do does did have has had to of in on at for from by with about as or and but if so not no yes
    can could will would should shall may might must what which who whom whose when where why how there here
    please hi hello dear sir madam pls thanks thank ok okay any some just also very much now then than too
    kya hai hain ho hota hoti hote tha thi the ka ki ke ko se main mein par pe ne bhi aur ya to tu tum ap aap
    apna apni apne mera meri mere hum hamara hamari ye yeh wo woh is us un in jo kuch koi kab kaise kahan kyun
    kaun kitna kitni kitne karna karni kar karo karen karein krdo kardo raha rahi rahe gaya gayi hua hui howa
    sakta sakti sakte chahiye bhai sahab sahib jee ji please salam hun hoon hy
    ga gi ge ab abhi jab tab yahan wahan wala wali wale walon batana btana bata batao btao bataen bataye hoga
    hogi hoge jaye jaega jayega jayegi krun karun mat warna wrna pare parega pari lagta lagti chahta chahti
    yar yaar sab log tum ap aap unki unka unke uski uska uske iski iska iske kisi kis kya
    کا کی کے کو سے میں ہے ہیں ہو تھا تھی تھے نے بھی اور یا تو تم آپ اپنا اپنی اپنے میرا میری میرے ہم یہ وہ اس
    ان جو کچھ کوئی کب کیسے کہاں کیوں کون کتنا کتنی کتنے کیا کرنا کرنی کر کریں رہا رہی رہے گیا گئی ہوا ہوئی
    سکتا سکتی سکتے چاہیے پر ہوں جی صاحب گا گی گے اب ابھی جب تب یہاں وہاں والا والی والے والوں بتائیں بتا
    بتاو بتاؤ ہوگا ہوگی جائے جائیں گیا لگتا لگتی چاہتا چاہتی سب لوگ ان کی ان کا اس کا کسی کس ہمیں مجھے
    """.split()
)


@lru_cache(maxsize=65536)
def _canon_token(token: str) -> str:
    return _ROMAN_CANON.get(token, token)


def ascii_digits(text: str) -> str:
    """Urdu and Arabic-Indic digits as ASCII digits; nothing else changes."""
    return text.translate(_DIGITS)


def fold(text: str) -> str:
    """Fold case, Unicode compatibility forms, Arabic-script letter variants, diacritics and digits."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_LETTER_FOLD).translate(_DIGITS)
    return _DIACRITICS.sub("", text)


def normalize(text: str) -> str:
    """The matching form of a text: folded, punctuation removed, Roman Urdu variants canonical."""
    words = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(_canon_token(w) for w in words)


STOP_WORDS: frozenset[str] = frozenset(w for typed in _STOP_WORDS_AS_TYPED for w in normalize(typed).split())
"""Function words of the three languages, in normalised form, that carry no topic."""


def tokens(text: str) -> list[str]:
    """The content words of a text: :func:`normalize` without stop words (all of them, if every word is one)."""
    words = normalize(text).split()
    content = [w for w in words if w not in STOP_WORDS]
    return content


def script_counts(text: str) -> tuple[int, int]:
    """How many Arabic-script and Latin letters a text has."""
    return len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
