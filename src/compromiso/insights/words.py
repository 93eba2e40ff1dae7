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


def frequencies(
    texts: Iterable[str], *, top: int = 30, min_length: int = 3, min_count: int = 1
) -> list[tuple[str, int]]:
    """The most frequent meaningful words, counted once per answer. A word used in fewer than
    `min_count` answers is left out, like a figure under the minimum: a rare word can tell who
    wrote it."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = {word.strip("'’·") for word in WORD.findall(_plain(text))}
        counts.update(w for w in words if len(w) >= min_length and w not in STOP_WORDS)
    return [(w, c) for w, c in counts.most_common() if c >= min_count][:top]
