"""Finnish base forms from Voikko, shared by the NLU tokenizer and the action server."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

logger = logging.getLogger(__name__)


def voikko_lemmatizer(cache_size: int = 50_000) -> Callable[[str], str] | None:
    """A word -> lemma function backed by Voikko, or None if Voikko is not installed."""
    try:
        from libvoikko import Voikko

        voikko = Voikko("fi")
    except Exception as error:  # the library or the Finnish dictionary is missing
        logger.warning("Voikko is not available (%s); Finnish lemmas are off.", error)
        return None

    @lru_cache(maxsize=cache_size)
    def lemma(word: str) -> str:
        analyses = voikko.analyze(word)
        if not analyses:
            return word
        return analyses[0].get("BASEFORM", word).lower()

    return lemma
