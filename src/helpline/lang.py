"""Per-message language detection: English, Urdu script (``ur``) or Roman Urdu (``ur-Latn``).

Urdu script is told by its letters. Latin-letter text is English or Roman Urdu; the two share an alphabet, so we
count marker words that are frequent in one and rare in the other. A message with no evidence (``"2"``,
``"STATUS AB12C"``, ``"ok"``) returns ``None`` and the caller keeps the contact's language.
"""

from __future__ import annotations

import re

from helpline.text import ROMAN_VARIANTS, fold, script_counts

ROMAN_URDU_MARKERS: frozenset[str] = frozenset(
    """
    hai hain kya ka ki ke ko se main nahi mujhe mera meri mere hum ap aap apna apni apne kaise kahan kyun kab
    karna karni kar karo karwani raha rahi rahe gaya gayi hua tha thi sakta chahiye wala wali wale abhi bhi aur
    ye yeh wo woh kuch koi kaun kitna kitni kitne bata batao btao bataen hoga hogi hota hoti diya di liya lena
    dena milega mili mila nahin par pe ne tak liye lie jab agar lekin magar zaroor shukriya bhai salam yar yaar
    paise tankhwah shikayat mahine baat madad wapas zaban pata kaam ghar beta beti walid shohar biwi ammi abbu
    jaldi sahi galat theek thik hun hoon kal aaj din saal hy ji jee ho tum log sab kyun karo
    """.split()
) | frozenset(v for canon, variants in ROMAN_VARIANTS.items() for v in (canon, *variants))
# Words both languages use in Latin letters ("me", "main", "or", "to", "is", "he"...) are no evidence.
_AMBIGUOUS = frozenset("me main or to is he in us bat key b k h q ha men kam ni bi please plz pls plzz plss thx".split())
_WORD = re.compile(r"[a-z']+")
ENGLISH_MARKERS: frozenset[str] = frozenset(
    """
    the is are was were my i me you your what how where when why who which can could would should will do does
    did have has had not no yes to of in on for from with about please help want need get got this that it
    there they them their our we am be been being an a and or but if so any some tell know still since ago
    months weeks days years job company work working paid salary hello thanks thank sorry
    """.split()
)


def detect(text: str) -> str | None:
    """Return ``"ur"``, ``"ur-Latn"``, ``"en"`` or ``None`` when the text gives no evidence."""
    arabic, latin = script_counts(text)
    if arabic == 0 and latin == 0:
        return None
    if arabic >= latin:
        return "ur"
    words = [w for w in _WORD.findall(fold(text)) if w not in _AMBIGUOUS]
    roman = sum(1 for w in words if w in ROMAN_URDU_MARKERS)
    english = sum(1 for w in words if w in ENGLISH_MARKERS)
    if roman == 0 and english == 0:
        return None
    # Roman Urdu borrows English words freely ("company", "salary"); one Urdu function word outweighs them.
    return "ur-Latn" if roman * 1.5 >= english else "en"
