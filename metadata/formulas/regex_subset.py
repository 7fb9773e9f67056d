"""REGEX() support: a safe, portable subset of Java regular expressions.

Why a subset: Python's ``re`` backtracks (``(a+)+b`` can run for hours), has no timeout, and the
``regex`` package is not available; PostgreSQL's engine has another dialect. So the pattern -- which
must be a text literal -- is parsed here once, at check time, into a small syntax tree that is

* matched in Python by a Thompson NFA simulation (with a memoised lazy DFA): linear in the text,
  whatever the pattern -- no catastrophic backtracking is possible;
* rewritten as an equivalent PostgreSQL ARE (``^(?:...)$``, every non-alphanumeric character as a
  ``\\uXXXX`` escape), so both back ends agree on what matches.

Supported: literals, ``.``, ``[...]``/``[^...]`` with ranges, ``\\d \\w \\s`` (ASCII, as in Java)
and their negations outside classes, escapes ``\\t \\n \\r \\f`` and escaped punctuation, groups
``(...)``/``(?:...)``, ``|``, ``* + ? {m} {m,} {m,n}`` (lazy ``?`` suffix accepted; irrelevant for a
whole-text match), ``^`` at the very start and ``$`` at the very end. Anything else (backreferences,
lookaround, flags, possessive quantifiers, ``\\b``...) is refused with a clear message. REGEX
matches the whole text, like Salesforce (Java ``matches()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .limits import MAX_REGEX_INPUT_LENGTH, MAX_REGEX_PATTERN_LENGTH, MAX_REGEX_STATES

MAX_REPEAT = 100
MAX_GROUP_DEPTH = 20
_DFA_CACHE_LIMIT = 5000

Ranges = tuple[tuple[int, int], ...]
_DIGIT: Ranges = ((48, 57),)
_WORD: Ranges = ((48, 57), (65, 90), (95, 95), (97, 122))
_SPACE: Ranges = ((9, 13), (32, 32))
_DOT_EXCLUDES: Ranges = ((10, 10), (13, 13), (0x85, 0x85), (0x2028, 0x2029))
_SIMPLE_ESCAPES = {"t": 9, "n": 10, "r": 13, "f": 12}
_CLASS_ESCAPES = {"d": _DIGIT, "w": _WORD, "s": _SPACE}


class RegexUnsupported(ValueError):
    """The pattern is outside the supported subset or too large."""


@dataclass(frozen=True)
class CharSet:
    ranges: Ranges
    negated: bool = False

    def matches(self, cp: int) -> bool:
        return any(lo <= cp <= hi for lo, hi in self.ranges) != self.negated


@dataclass(frozen=True)
class Seq:
    items: tuple[object, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[object, ...]


@dataclass(frozen=True)
class Repeat:
    item: object
    low: int
    high: int | None


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.depth = 0

    def fail(self, message: str) -> RegexUnsupported:
        return RegexUnsupported(f"REGEX pattern, position {self.i + 1}: {message}")

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def parse(self) -> object:
        if self.p.startswith("^"):
            self.i = 1
        if self.p.endswith("$") and len(self.p) > self.i:
            backslashes = len(self.p[:-1]) - len(self.p[:-1].rstrip("\\"))
            if backslashes % 2 == 0:  # an unescaped final '$' is the (redundant) end anchor
                self.p = self.p[:-1]
        node = self.alt()
        if self.i < len(self.p):
            raise self.fail(f"unexpected {self.p[self.i]!r}")
        return node

    def alt(self) -> object:
        options = [self.seq()]
        while self.peek() == "|":
            self.i += 1
            options.append(self.seq())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def seq(self) -> object:
        items: list[object] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.quantified(self.atom()))
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def quantified(self, atom: object) -> object:
        ch = self.peek()
        if ch in ("*", "+", "?"):
            self.i += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
        elif ch == "{":
            low, high = self.bounds()
        else:
            return atom
        if self.peek() == "?":
            self.i += 1
        elif self.peek() == "+":
            raise self.fail("possessive quantifiers are not supported")
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a quantifier cannot follow another quantifier")
        return Repeat(atom, low, high)

    def bounds(self) -> tuple[int, int | None]:
        close = self.p.find("}", self.i)
        body = self.p[self.i + 1:close] if close > 0 else ""
        low_text, comma, high_text = body.partition(",")
        if not low_text.isdigit() or (high_text and not high_text.isdigit()):
            raise self.fail("'{' must start a quantifier such as {2} or {1,3}; write \\{ for a brace")
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
            raise self.fail(f"quantifier bounds must be ordered and at most {MAX_REPEAT}")
        self.i = close + 1
        return low, high

    def atom(self) -> object:
        ch = self.peek()
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.charclass()
        if ch == ".":
            self.i += 1
            return CharSet(_DOT_EXCLUDES, negated=True)
        if ch == "\\":
            return self.escape(in_class=False)
        if ch in "*+?{":
            raise self.fail(f"nothing to repeat before {ch!r}")
        if ch in "^$":
            raise self.fail(f"{ch!r} is only supported at the start/end of the pattern")
        if ch in "]}":
            raise self.fail(f"unescaped {ch!r}; write \\{ch}")
        self.i += 1
        return CharSet(((ord(ch), ord(ch)),))

    def group(self) -> object:
        self.i += 1
        if self.p.startswith("?:", self.i):
            self.i += 2
        elif self.peek() == "?":
            raise self.fail("lookaround, named groups and inline flags are not supported")
        self.depth += 1
        if self.depth > MAX_GROUP_DEPTH:
            raise self.fail(f"groups nested more than {MAX_GROUP_DEPTH} deep")
        inner = self.alt()
        self.depth -= 1
        if self.peek() != ")":
            raise self.fail("missing ')'")
        self.i += 1
        return inner

    def escape(self, in_class: bool) -> CharSet:
        self.i += 1
        ch = self.peek()
        if ch == "":
            raise self.fail("pattern ends with a backslash")
        self.i += 1
        if ch in _SIMPLE_ESCAPES:
            cp = _SIMPLE_ESCAPES[ch]
            return CharSet(((cp, cp),))
        if ch in _CLASS_ESCAPES:
            return CharSet(_CLASS_ESCAPES[ch])
        if ch.lower() in _CLASS_ESCAPES and not in_class:
            return CharSet(_CLASS_ESCAPES[ch.lower()], negated=True)
        if ch.isascii() and not ch.isalnum():
            return CharSet(((ord(ch), ord(ch)),))
        raise self.fail(f"escape \\{ch} is not supported")

    def charclass(self) -> CharSet:
        self.i += 1
        negated = self.peek() == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while True:
            ch = self.peek()
            if ch == "":
                raise self.fail("missing ']'")
            if ch == "]" and not first:
                self.i += 1
                break
            if ch == "[" or self.p.startswith("&&", self.i):
                raise self.fail("nested classes and class intersections are not supported")
            first = False
            lo = self.class_item()
            if isinstance(lo, CharSet):
                ranges.extend(lo.ranges)
                continue
            if self.peek() == "-" and self.i + 1 < len(self.p) and self.p[self.i + 1] != "]":
                self.i += 1
                hi = self.class_item()
                if isinstance(hi, CharSet) or hi < lo:
                    raise self.fail("invalid range in character class")
                ranges.append((lo, hi))
            else:
                ranges.append((lo, lo))
        if not ranges:
            raise self.fail("empty character class")
        return CharSet(tuple(sorted(ranges)), negated)

    def class_item(self) -> int | CharSet:
        ch = self.peek()
        if ch == "\\":
            item = self.escape(in_class=True)
            if len(item.ranges) == 1 and item.ranges[0][0] == item.ranges[0][1] and not item.negated:
                return item.ranges[0][0]
            return item
        self.i += 1
        return ord(ch)


# ----------------------------------------------------------------------------- NFA


@dataclass
class _State:
    charset: CharSet | None = None  # consuming state when set
    out: list[int] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.states: list[_State] = []

    def new(self, charset: CharSet | None = None) -> int:
        if len(self.states) >= MAX_REGEX_STATES:
            raise RegexUnsupported(f"REGEX pattern is too complex (more than {MAX_REGEX_STATES} states)")
        self.states.append(_State(charset))
        return len(self.states) - 1

    def build(self, node: object, nxt: int) -> int:
        """Return the entry state of ``node`` whose exit leads to ``nxt``."""
        if isinstance(node, CharSet):
            s = self.new(node)
            self.states[s].out.append(nxt)
            return s
        if isinstance(node, Seq):
            for item in reversed(node.items):
                nxt = self.build(item, nxt)
            return nxt
        if isinstance(node, Alt):
            s = self.new()
            self.states[s].out.extend(self.build(opt, nxt) for opt in node.options)
            return s
        if isinstance(node, Repeat):
            if node.high is None:
                loop = self.new()
                body = self.build(node.item, loop)
                self.states[loop].out.extend((body, nxt))
                entry = loop
            else:
                entry = nxt
                for _ in range(node.high - node.low):
                    s = self.new()
                    self.states[s].out.extend((self.build(node.item, entry), nxt))
                    entry = s
            for _ in range(node.low):
                entry = self.build(node.item, entry)
            return entry
        raise TypeError(node)


@dataclass
class CompiledRegex:
    """A checked pattern: ``postgres`` is the anchored ARE; ``fullmatch`` the Python matcher."""

    pattern: str
    postgres: str
    _states: list[_State]
    _start: int
    _accept: int
    _cache: dict[tuple[frozenset[int], str], frozenset[int]] = field(default_factory=dict, compare=False,
                                                                     repr=False)

    def _closure(self, seeds: list[int]) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(seeds)
        while stack:
            s = stack.pop()
            if s in seen:
                continue
            seen.add(s)
            if self._states[s].charset is None:
                stack.extend(self._states[s].out)
        return frozenset(seen)

    def fullmatch(self, text: str) -> bool:
        if len(text) > MAX_REGEX_INPUT_LENGTH:
            return False
        current = self._closure([self._start])
        for ch in text:
            key = (current, ch)
            nxt = self._cache.get(key)
            if nxt is None:
                cp = ord(ch)
                seeds = [t for s in current if (cs := self._states[s].charset) is not None and cs.matches(cp)
                         for t in self._states[s].out]
                nxt = self._closure(seeds)
                if len(self._cache) < _DFA_CACHE_LIMIT:
                    self._cache[key] = nxt
            current = nxt
            if not current:
                return False
        return self._accept in current


def compile_pattern(pattern: str) -> CompiledRegex:
    if len(pattern) > MAX_REGEX_PATTERN_LENGTH:
        raise RegexUnsupported(f"REGEX pattern is longer than {MAX_REGEX_PATTERN_LENGTH} characters")
    tree = _Parser(pattern).parse()
    builder = _Builder()
    accept = builder.new()
    start = builder.build(tree, accept)
    body = _to_are(tree)
    return CompiledRegex(pattern, f"^(?:{body})$" if body else "^$", builder.states, start, accept)


# ----------------------------------------------------------------------------- PostgreSQL ARE


def _char(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _to_are(node: object) -> str:
    if isinstance(node, CharSet):
        if not node.negated and len(node.ranges) == 1 and node.ranges[0][0] == node.ranges[0][1]:
            return _char(node.ranges[0][0])
        inner = "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in node.ranges)
        return f"[{'^' if node.negated else ''}{inner}]"
    if isinstance(node, Seq):
        return "".join(_to_are(item) for item in node.items)
    if isinstance(node, Alt):
        options = [_to_are(o) for o in node.options]
        nonempty = [o for o in options if o]
        if not nonempty:
            return ""
        body = "(?:" + "|".join(nonempty) + ")"
        return body + "?" if len(nonempty) < len(options) else body
    if isinstance(node, Repeat):
        inner = _to_are(node.item)
        if not inner:
            return ""
        if node.high is None:
            suffix = "*" if node.low == 0 else ("+" if node.low == 1 else f"{{{node.low},}}")
        elif node.low == 0 and node.high == 1:
            suffix = "?"
        elif node.low == node.high:
            suffix = f"{{{node.low}}}"
        else:
            suffix = f"{{{node.low},{node.high}}}"
        return f"(?:{inner}){suffix}"
    raise TypeError(node)
