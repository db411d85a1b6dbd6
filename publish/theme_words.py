"""A theme's label, made from its own words: the terms its comments use far more than the
other comments in the same language (class-based TF-IDF, as BERTopic labels topics), with
stop words from stopwordsiso in the UN's six languages. Chinese has no spaces between
words: its terms are runs of two characters.

Memory stays bounded: term counts are kept for the first comments of each theme, and
document frequencies for the first comments of each language, whatever the total.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import cache

import stopwordsiso

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
PER_THEME = 300  # comments of a theme whose words are counted
PER_LANGUAGE = 5000  # comments of a language whose words give the document frequencies
LABEL_TERMS = 3
KEYWORDS = 8
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
_CJK_RUN = re.compile("[\u4e00-\u9fff]+")
_ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|فال|لل|ال)(?=\w{3})")


@cache
def stop_words() -> frozenset[str]:
    words: set[str] = set()
    for language in LANGUAGES:
        words |= {w.casefold() for w in stopwordsiso.stopwords(language)}
    # The consultation's own words say nothing about a theme: every comment uses them.
    return frozenset(words)


def terms(text: str) -> set[str]:
    """The words and two-word phrases of a text (Chinese: two-character runs)."""
    stops = stop_words()
    found: set[str] = set()
    for run in _CJK_RUN.findall(text):
        found.update(
            run[i : i + 2]
            for i in range(len(run) - 1)
            if run[i] not in stops and run[i + 1] not in stops
        )
    words = [_ARABIC_ARTICLE.sub("", w.casefold()) for w in _WORD.findall(_CJK_RUN.sub(" ", text))]
    previous = ""
    for word in words:
        if len(word) < 3 or word in stops:
            previous = ""
            continue
        found.add(word)
        if previous:
            found.add(f"{previous} {word}")
        previous = word
    return found


class ThemeWords:
    """Counts words as the comments stream past, then names each theme."""

    def __init__(self) -> None:
        self.df: dict[str, Counter[str]] = defaultdict(Counter)
        self.seen: Counter[str] = Counter()
        self.tf: dict[tuple[int, str], Counter[str]] = defaultdict(Counter)
        self.counted: Counter[tuple[int, str]] = Counter()

    def add(self, theme: int, language: str, text: str, names: str = "") -> None:
        """One comment's words; `names` (its sender's and organisation's) are left out: a
        theme is named by what it says, not by who says it."""
        found = terms(text)
        if names:
            own = {word for term in terms(names) for word in term.split()}
            found = {term for term in found if not own.intersection(term.split())}
        if self.seen[language] < PER_LANGUAGE:
            self.seen[language] += 1
            self.df[language].update(found)
        key = (theme, language)
        if self.counted[key] < PER_THEME:
            self.counted[key] += 1
            self.tf[key].update(found)

    def keywords(self, theme: int, language: str) -> list[str]:
        """The theme's distinctive terms in one language, best first."""
        key = (theme, language)
        n = self.counted[key]
        if not n:
            return []
        total = max(self.seen[language], 1)
        least = 2 if n >= 2 else 1
        scored = []
        for term, count in self.tf[key].items():
            if count < least:
                continue
            idf = math.log((1 + total) / (1 + self.df[language][term])) + 1
            bonus = 1.3 if " " in term or len(term) == 2 else 1.0
            scored.append((-(count / n) * idf * bonus, term))
        chosen: list[str] = []
        for _, term in sorted(scored):
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == KEYWORDS:
                break
        return chosen


def label_of(keywords: list[str]) -> str:
    return " · ".join(keywords[:LABEL_TERMS])
