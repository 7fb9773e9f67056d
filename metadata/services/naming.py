"""Names made from labels: an administrator types "信用度等级" or "Credit grade" and never sees an
api_name unless they open the advanced view.

An api_name is the English label in snake case, else the Chinese label in pinyin (pypinyin, one word
per character: 信用度等级 → xin_yong_du_deng_ji), shortened to fit and made unique among the names
already taken (deleted fields' names count: they are never reused). Picklist keys are made the same
way among a picklist's keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping

from pypinyin import lazy_pinyin

#: Longest generated name (the schema allows 63: room for a suffix).
MAX_LENGTH = 40
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slug_from(text: str) -> str:
    """`text` as lowercase words joined by single underscores (Chinese in pinyin); '' if none."""
    ascii_parts = []
    for part in lazy_pinyin(text or ""):
        folded = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().lower()
        ascii_parts.append(folded)
    words = [w for w in _NOT_WORD.split(" ".join(ascii_parts)) if w]
    slug = "_".join(words)[:MAX_LENGTH].strip("_")
    return slug


def name_from_labels(labels: Mapping[str, str], taken: Collection[str], *, fallback: str = "field",
                     reserved: Collection[str] = ()) -> str:
    """An api_name for something labelled `labels` ({language: label}), free among `taken` and
    not `reserved`: from the English label if there is one, else from any other (in pinyin)."""
    texts = [labels.get("en", "")] + [v for k, v in labels.items() if k != "en"]
    base = next((slug for slug in map(slug_from, texts) if slug), "")
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}".strip("_") if base else fallback
    if len(base) < 2:
        base = f"{base}_{fallback}"
    return unique_name(base, set(taken) | set(reserved))


def unique_name(base: str, taken: Collection[str]) -> str:
    """`base`, or `base_2`, `base_3`… — the first not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base[:MAX_LENGTH]}_{number}" in taken:
        number += 1
    return f"{base[:MAX_LENGTH]}_{number}"


def key_from_label(labels: Mapping[str, str], taken: Collection[str]) -> str:
    """A picklist value's key, from its labels, unique among the picklist's keys."""
    return name_from_labels(labels, taken, fallback="value")
