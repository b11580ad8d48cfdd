"""Text helpers shared by the stages: the folded key that names are matched by."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1 << 16)  # a word is folded again in each sentence it is in
def fold(text: str) -> str:
    """Case, accents, apostrophes and punctuation folded: the key for matching names."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


__all__ = ["fold"]
