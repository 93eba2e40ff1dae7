"""Word frequencies of open answers, without the Spanish, Catalan and English words that carry
no meaning (articles, prepositions, pronouns, auxiliaries). Plain values in and out."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

_STOP_TEXT = """
    a al algo algun alguna algunas alguno algunos ante antes aquel aquella aquello aqui asi aun
    bien cada casi como con contra cual cuando de del desde donde dos el ella ellas ello ellos en
    entre era eran es esa esas ese eso esos esta estaba estan estar este esto estos fue fueron ha
    habia han hasta hay la las le les lo los mas me mi mis mucho muy nada ni no nos nosotros o os
    otra otro para pero poco por porque que quien se sea ser si sido sin sobre solo son su sus
    tambien tan tanto te tiene tienen todo todos tu un una uno unos usted ustedes vez y ya yo
    aixo aquest aquesta aquests al als amb aquell aquells de dels des el ell ella els em en entre
    era es esta estan fa fins ha han hi i jo la les li lo meu mes molt na ni no nosaltres o on per
    pero perque pel pels qual quan que res sa se seu seva ses si sobre son sota tambe tot tots un
    una uns vaig van vosaltres ja ara encara
    an and are as at be but by for from had has have i if in into is it its me my not of on or
    our so than that the their them there they this to was we were what when which who will with
    you your
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
WORD = re.compile(r"[a-zñç·'’]+")
TOKEN = re.compile(r"[\w·'’]+")


def _plain(text: str) -> str:
    """Lower case without accents (ñ and ç kept), so "atención" and "atencion" count together."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    kept: list[str] = []
    for char in decomposed:
        if (
            unicodedata.category(char) == "Mn"
            and kept
            and kept[-1] in "nc"
            and char in "\u0303\u0327"
        ):
            kept[-1] = "ñ" if char == "\u0303" else "ç"
            continue
        if unicodedata.category(char) != "Mn":
            kept.append(char)
    return "".join(kept)


def _forms(text: str) -> list[tuple[str, str]]:
    """(key, form) for each word of an answer: the key without accents, to count "atención" and
    "atencion" together; the form as written, in lower case, to show."""
    pairs = []
    for token in TOKEN.findall(unicodedata.normalize("NFC", text.lower())):
        keys = WORD.findall(_plain(token))
        if len(keys) == 1 and keys[0] == _plain(token):
            pairs.append((keys[0].strip("'’·"), token.strip("'’·")))
        else:  # digits or other symbols inside: keep the pieces, as they were counted
            pairs.extend((key.strip("'’·"), key.strip("'’·")) for key in keys)
    return pairs


def _shown(forms: Counter[str]) -> str:
    """The form most often written; on a tie, the one with accents (the correct spelling is
    the one that takes the trouble), then the first in alphabetical order."""
    return min(forms, key=lambda form: (-forms[form], -len(form.encode()), form))


def frequencies(
    texts: Iterable[str], *, top: int = 30, min_length: int = 3, min_count: int = 1
) -> list[tuple[str, int]]:
    """The most frequent meaningful words, counted once per answer, each shown as written
    (with its accents) though counted without them. A word used in fewer than `min_count`
    answers is left out, like a figure under the minimum: a rare word can tell who wrote it."""
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    for text in texts:
        seen: dict[str, str] = {}
        for key, form in _forms(text):
            if len(key) >= min_length and key not in STOP_WORDS:
                seen.setdefault(key, form)
        counts.update(seen.keys())
        for key, form in seen.items():
            written.setdefault(key, Counter())[form] += 1
    return [
        (_shown(written[key]), count) for key, count in counts.most_common() if count >= min_count
    ][:top]
