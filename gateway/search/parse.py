"""Query text -> AST, with errors that say where and what was expected.

lark (LALR, grammar in grammar.lark) builds the parse tree; `_Builder` turns it into
`gateway.search.ast` nodes while checking each field and value against `fields.py`. lark's
own exceptions never leave this module: `_syntax_error` translates them, naming the expected
tokens in words (our own mapping, which covers every parser state, where `match_examples`
would cover only the mistakes someone thought to list).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from gateway.search.ast import (
    All,
    And,
    ChoiceIs,
    Contains,
    DateIs,
    Has,
    Node,
    Not,
    NumberIs,
    Op,
    Or,
    PhoneIs,
    SmsMatch,
)
from gateway.search.dates import parse_date
from gateway.search.errors import InvalidValue, QuerySyntaxError, QueryTooComplex, UnknownField
from gateway.search.fields import HAS, LEAD_FIELDS, SMS_FIELDS, Field, Kind
from telecom.numbers import InvalidNumber, parse_e164

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "MAX_TERMS", "parse"]

MAX_LENGTH = 4000  # characters; far beyond any hand-written query
MAX_DEPTH = 32  # nested not/and/or/sms levels; also bounds every recursive walk of the AST
# Clauses (field:value, comparisons, `*`). SQLite refuses expressions deeper than 1,000, and
# a flat `a b c ...` compiles to a chain as deep as it is long: this keeps every query far
# below that limit, so a long query is refused here with a 400, never by the database.
MAX_TERMS = 200
MAX_NUMBER = 2**31 - 1  # the largest value of the integer columns compared (PostgreSQL int4)

_PARSER = Lark(
    resources.files("gateway.search").joinpath("grammar.lark").read_text(),
    parser="lalr",
    propagate_positions=True,
)

_TERM_START = frozenset({"FIELD", "_NOT", "LPAR", "_SMS", "STAR"})
_WORDS = {
    "FIELD": "a field name",
    "COLON": "':'",
    "OP": "a comparison (>, >=, <, <=, =)",
    "WORD": "a value",
    "QUOTED": "a value",
    "LPAR": "'('",
    "RPAR": "')'",
    "_AND": "'and'",
    "_OR": "'or'",
    "_NOT": "'not'",
    "_SMS": "'sms('",
    "STAR": "'*'",
    "$END": "the end of the query",
}
_ORDER = ("RPAR", "COLON", "OP", "WORD", "QUOTED", "_AND", "_OR", "TERM", "$END")
_ORDER_TERM = ("FIELD", "_NOT", "LPAR", "_SMS", "STAR")
_TERM = "a search term (field:value, field > n, sms(...), not, '(' or '*')"
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_NUMBER = re.compile(r"-?\d{1,13}")


def parse(text: str, region: str | None = "US") -> Node:
    """Parse `text`; `region` reads phone numbers written without a country code."""
    if len(text) > MAX_LENGTH:
        raise QueryTooComplex(
            f"Query is longer than {MAX_LENGTH} characters",
            MAX_LENGTH,
            (f"at most {MAX_LENGTH} characters",),
        )
    if bad := _BAD_CHARACTER.search(text):
        raise QuerySyntaxError(f"Invalid character {bad[0]!r}", bad.start(), ("printable text",))
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    _check_depth(tree)
    return _Builder(region).build(tree, in_sms=False)


def _expected(names: set[str]) -> tuple[str, ...]:
    """In words, most telling first: a missing ')' before 'another term could follow'."""
    words: list[str] = []
    for name in _ORDER:
        if name == "TERM":
            if names >= _TERM_START:
                words.append(_TERM)
            else:
                words.extend(_WORDS[n] for n in _ORDER_TERM if n in names)
        elif name in names and _WORDS[name] not in words:
            words.append(_WORDS[name])
    return tuple(words) or ("a valid query",)


def _join(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _accepts(text: str, position: int, fallback: set[str]) -> set[str]:
    """What the parser would take at `position`. lark's own sets come from LALR states that
    merge contexts (after `a:b` a ')' looks possible even outside parentheses), so replay the
    text before the error and ask the parser, which reduces first and then answers exactly."""
    try:
        parser = _PARSER.parse_interactive(text[:position])
        parser.exhaust_lexer()
        names = set(parser.accepts())  # type: ignore[no-untyped-call]
    except UnexpectedInput:
        names = set(fallback)
    if "FIELD" in names:  # the keywords hide inside FIELD's regex
        names |= {"_NOT", "_SMS"}
    return names


def _syntax_error(exc: UnexpectedInput, text: str) -> QuerySyntaxError:
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        at_end = token.type == "$END"
        position = len(text) if at_end else token.start_pos or 0
        found = "the end of the query" if at_end else repr(str(token))
        names = _accepts(text, position, set(exc.expected))
    elif isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        if text[position] == '"':
            return QuerySyntaxError("Unclosed quote: expected a closing '\"'", position, ("'\"'",))
        found = repr(text[position])
        names = _accepts(text, position, set(exc.allowed or ()))
    else:  # lark's other errors do not arise from an LALR parse; keep the contract anyway
        return QuerySyntaxError("Malformed query", getattr(exc, "pos_in_stream", 0) or 0)
    expected = _expected(names)
    message = f"Expected {_join(expected)}, found {found}"
    if names <= {"COLON", "OP"}:
        message += " (free text is not supported; quote values that contain spaces)"
    return QuerySyntaxError(message, position, expected)


def _check_depth(tree: Tree[Token]) -> None:
    """Iterative, so that a pathological query cannot exhaust the stack here; past this
    check every walk of the tree or the AST may recurse."""
    stack, terms = [(tree, 1)], 0
    while stack:
        node, depth = stack.pop()
        position = node.meta.start_pos if not node.meta.empty else 0
        if depth > MAX_DEPTH:
            raise QueryTooComplex(
                f"Query nests deeper than {MAX_DEPTH} levels",
                position,
                (f"at most {MAX_DEPTH} levels of nesting",),
            )
        if node.data in ("match", "compare", "match_all"):
            terms += 1
            if terms > MAX_TERMS:
                raise QueryTooComplex(
                    f"Query has more than {MAX_TERMS} clauses",
                    position,
                    (f"at most {MAX_TERMS} clauses",),
                )
        # reversed: clauses are met in reading order, so the error points at the 201st
        stack.extend(
            (child, depth + 1) for child in reversed(node.children) if isinstance(child, Tree)
        )


def _unquote(token: Token) -> str:
    text = str(token)
    if token.type == "QUOTED":
        return _ESCAPE.sub(r"\1", text[1:-1])
    return text


def _distinct(nodes: Iterable[Node]) -> tuple[Node, ...]:
    return tuple(dict.fromkeys(nodes))


class _Builder:
    def __init__(self, region: str | None) -> None:
        self._region = region

    def build(self, tree: Tree[Token], in_sms: bool) -> Node:
        kind, children = tree.data, tree.children
        # x AND x is x, x OR x is x: a condition said twice is compiled once (repeating one
        # used to grow PostgreSQL's plan without bound: 13 s for a few dozen `has:`)
        if kind in ("or_expr", "and_expr"):
            items = _distinct(self.build(c, in_sms) for c in children)  # type: ignore[arg-type]
            if len(items) == 1:
                return items[0]
            return Or(items) if kind == "or_expr" else And(items)
        if kind == "negation":
            return Not(self.build(children[0], in_sms))  # type: ignore[arg-type]
        if kind == "match_all":
            return All()
        if kind == "sms":
            if in_sms:
                raise UnknownField(
                    "sms", _known(SMS_FIELDS), tree.meta.start_pos, " inside sms(...)"
                )
            return SmsMatch(self.build(children[0], True))  # type: ignore[arg-type]
        if kind == "match":
            field, value = children
            return self._clause(field, Op.EQ, None, value, in_sms)  # type: ignore[arg-type]
        field, op, value = children  # compare
        return self._clause(field, Op(str(op)), op, value, in_sms)  # type: ignore[arg-type]

    def _clause(
        self, name: Token, op: Op, op_token: Token | None, value: Token, in_sms: bool
    ) -> Node:
        fields = SMS_FIELDS if in_sms else LEAD_FIELDS
        spec = fields.get(str(name).lower())
        if spec is None:
            raise UnknownField(
                str(name), _known(fields), name.start_pos or 0, " inside sms(...)" if in_sms else ""
            )
        raw, position = _unquote(value), value.start_pos or 0
        if not raw.strip():
            raise InvalidValue(
                f"{spec.name} needs a non-empty value", position, ("a non-empty value",)
            )
        if op is not Op.EQ and spec.kind not in (Kind.NUMBER, Kind.DATE):
            raise InvalidValue(
                f"{spec.name} takes ':' not {op.value!r}",
                (op_token.start_pos if op_token else None) or 0,
                ("':'",),
            )
        return self._value(spec, op, raw, position)

    def _value(self, spec: Field, op: Op, raw: str, position: int) -> Node:
        match spec.kind:
            case Kind.TEXT:
                return Contains(spec.name, raw)
            case Kind.PHONE:
                try:
                    return PhoneIs(spec.name, parse_e164(raw.strip(), self._region))
                except InvalidNumber:
                    raise InvalidValue(
                        f"{spec.name} needs a phone number, not {raw!r}",
                        position,
                        ("a phone number",),
                    ) from None
            case Kind.NUMBER:
                if not _NUMBER.fullmatch(raw) or abs(int(raw)) > MAX_NUMBER:
                    raise InvalidValue(
                        f"{spec.name} needs a whole number, not {raw!r}",
                        position,
                        ("a whole number",),
                    )
                return NumberIs(spec.name, op, int(raw))
            case Kind.DATE:
                try:
                    return DateIs(spec.name, op, parse_date(raw))
                except ValueError:
                    raise InvalidValue(
                        f'{spec.name} needs a date (today, yesterday, tomorrow, "N days ago",'
                        ' "this week", "last week", "this month", "last month",'
                        f" YYYY-MM-DD or an ISO date-time), not {raw!r}",
                        position,
                        ("a date",),
                    ) from None
            case Kind.HAS:
                if raw.lower() not in spec.choices:
                    raise UnknownField(f"has:{raw}", tuple(f"has:{h}" for h in HAS), position)
                return Has(spec.choices[raw.lower()])
        choice = spec.choices.get(raw.lower())
        if choice is None:
            raise InvalidValue(
                f"{spec.name} must be one of {', '.join(spec.choices)}, not {raw!r}",
                position,
                tuple(spec.choices),
            )
        return ChoiceIs(spec.name, choice)


def _known(fields: Mapping[str, Field]) -> tuple[str, ...]:
    names = tuple(sorted(fields))
    return (*names, "sms(...)") if fields is LEAD_FIELDS else names
