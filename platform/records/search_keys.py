"""What global search matches a record's name against, besides the name itself.

A salesperson looking for 王建国 types "wjg" or "wangjianguo" (an input method is slow on a phone,
and initials are how Chinese CRMs are searched). Pinyin cannot be computed in SQL, so the write path
stores two keys beside the name (the record table's `name_pinyin` and `name_initials` columns),
computed here with pypinyin (phrase-aware, so 重庆 reads "chongqing"), and each has a prefix index
(see storage.SEARCH_INDEXES). Names without Chinese characters get no keys: their lower-cased name is
their key, indexed as it is.

Keys are compact: lower case, letters and digits only, so "华为 Renewal #12" is "huaweirenewal12"
and "hwrenewal12", and a query is compacted the same way before it is compared.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin
from pypinyin.constants import RE_HANS

#: CJK unified ideographs (and extension A): what pypinyin turns into pinyin.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NOT_KEY = re.compile(r"[^0-9a-z]+")

#: The record table's columns holding the keys (storage.SYSTEM_COLUMNS).
PINYIN_COLUMN = "name_pinyin"
INITIALS_COLUMN = "name_initials"


def has_han(text: str | None) -> bool:
    return bool(text) and HAN.search(text) is not None  # type: ignore[arg-type]


def compact(text: str) -> str:
    """Lower case, letters and digits only (full-width forms folded first)."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text).lower())


def name_keys(name: str | None) -> tuple[str | None, str | None]:
    """(full pinyin, pinyin initials) of a name with Chinese characters; (None, None) otherwise.
    王建国 → ("wangjianguo", "wjg").

    pypinyin reads a name run by run (characters it has pinyin for, the rest kept as they are;
    phrases never cross a run), so each run of Chinese characters is converted once and
    remembered: a batch of "订单 0000123", "订单 0000124" … converts 订单 once (pypinyin was the
    largest share of a bulk insert's Python time, bench/records.py --profile)."""
    if not name or not has_han(name):
        return None, None
    full, initials = [], []
    for run in _PINYIN_RUNS.split(name):
        if run and _PINYIN_RUNS.fullmatch(run):
            run_full, run_initials = _run_keys(run)
            full.append(run_full)
            initials.append(run_initials)
        else:
            full.append(run)
            initials.append(run)
    return compact("".join(full)) or None, compact("".join(initials)) or None


#: A run of the characters pypinyin has pinyin for (its own RE_HANS, `^(?:[…])+$`, as one run).
_PINYIN_RUNS = re.compile("(" + RE_HANS.pattern[1:-1] + ")")


@lru_cache(maxsize=50_000)
def _run_keys(run: str) -> tuple[str, str]:
    """The pinyin and the initials of one run of Chinese characters, as pypinyin gives them: the
    initials are the first letters of the run's syllables, which is what pypinyin's FIRST_LETTER
    style gives (for every character and phrase it knows; test_search.py holds them to it),
    so the run is converted once."""
    syllables = lazy_pinyin(run)
    return "".join(syllables), "".join(syllable[:1] for syllable in syllables)


def name_key_columns(name: str | None) -> dict[str, str | None]:
    """The key columns to write with a record's name."""
    pinyin, initials = name_keys(name)
    return {PINYIN_COLUMN: pinyin, INITIALS_COLUMN: initials}


def query_key(text: str) -> str | None:
    """What a search text is compared with the keys as: its compact form, when it has no Chinese
    characters (those are found by the name itself) and something is left."""
    if has_han(text):
        return None
    return compact(text) or None
