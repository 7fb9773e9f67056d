"""Guard rails, in one place so they are easy to find, document and test.

The lexer, parser and function implementations import these names; the tests assert on them.
"""

from __future__ import annotations

#: Maximum formula source length in characters (Salesforce's limit for formula text).
MAX_FORMULA_LENGTH = 3900

#: Maximum nesting depth of the syntax tree (parentheses, calls and operator chains together).
#: Every tree walk (checker, evaluator, SQL compiler, psycopg2's ``as_string``) recurses at most a
#: few Python frames per level, so this keeps well under Python's default recursion limit (1000)
#: even when the caller is already deep in a Django stack.
MAX_NESTING_DEPTH = 100

#: Longest text a function may build (LPAD/RPAD/SUBSTITUTE). Longer results are blank (NULL), in
#: both back ends, and computed without materialising the oversized text.
MAX_TEXT_LENGTH = 131_072

#: REGEX guards: the pattern must be a text literal of at most this many characters ...
MAX_REGEX_PATTERN_LENGTH = 500
#: ... compiling to at most this many automaton states (bounded repeats are expanded) ...
MAX_REGEX_STATES = 400
#: ... and texts longer than this never match (REGEX returns FALSE), so matching stays cheap.
MAX_REGEX_INPUT_LENGTH = 4000
