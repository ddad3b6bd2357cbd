"""The check rules' small language: one expression over a row, its slice and last period's row.

A district writes its own checks in ``config.yaml`` (``checks``), so the language is declared,
small and read at start-up: a typo is a configuration error, never a surprise in a clerk's upload.

    filled <= authorized + 2                       在岗数 <= 核定数 + 2
    participants >= activities                     a row's columns, by code or Chinese name
    opened_on <= period_end                        dates compare; date - date is days
    fund_type == '青少年发展专项'                    an enumeration by label or code (checked)
    abs(per_head - last(per_head)) <= 0.5 * last(per_head)
                                                   last(…) / last.x / 上期.x: the same key's
                                                   previous period (year, quarter, month, round)
    sum(admitted) <= 1.5 * sum(planned)            sum(…) and count() over the row's slice
    coalesce(youth_population, population(township))
                                                   the configured youth population of a township

Operators: ``+ - * /``, comparisons (chained too), ``and or not``, ``in [..]``; functions
``abs min max coalesce sum count last population``; names ``today`` (今天), ``period_start`` and
``period_end`` where the dataset has a period. A rule's ``let`` names a sub-expression.

Values may be empty (NULL). Arithmetic and comparisons with an empty value are empty, ``and`` /
``or`` follow SQL's three-valued logic, and a check that comes out empty is not broken: a rule
judges what is there (a required cell is the contract's business). Everything runs on whole
columns (numpy), so a rule costs the same for 5 rows and 5,000.
"""

from __future__ import annotations

import ast
import importlib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reform.datasets import DATASETS, Dataset


class _Numpy:
    """numpy, imported when a rule first runs: reading config.yaml (every command's start) stays
    free of it, while the rules are still compiled and checked at start-up."""

    def __getattr__(self, name: str) -> Any:
        return getattr(importlib.import_module("numpy"), name)


np: Any = _Numpy()

NUM, DATE, TEXT, BOOL = "number", "date", "text", "yes/no"
KIND_TYPES = {
    "integer": NUM,
    "amount": NUM,
    "year": NUM,
    "round": NUM,
    "date": DATE,
    "bool": BOOL,
    "text": TEXT,
    "township": TEXT,
    "city": TEXT,
    "enum": TEXT,
    "period": TEXT,
}
TODAY_NAMES = ("today", "今天")
LAST_NAMES = ("last", "上期")
AGGREGATES = ("sum", "count")
FUNCTIONS = ("abs", "min", "max", "coalesce", "population", *AGGREGATES, *LAST_NAMES)
_UNIT = re.compile(r"[(（][^)）]*[)）]$")


class RuleError(ValueError):
    """A rule that cannot be read: the message says where and why (shown at start-up)."""


@dataclass
class Val:
    """A column of values with a mask of empty cells; dates are days since 1970-01-01."""

    data: np.ndarray
    na: np.ndarray
    type: str


def days(values: Any) -> np.ndarray:
    """Dates (``datetime.date``, numpy or pandas) as float days since 1970; NaN where empty."""
    stamps = np.asarray(values, dtype="datetime64[D]")
    out = (stamps - np.datetime64("1970-01-01", "D")).astype(np.float64)
    out[np.isnat(stamps)] = np.nan
    return out


@dataclass
class Env:
    """What a rule reads while it runs: the rows, last period's rows, the slices, the day."""

    rows: dict[str, Val]
    last: dict[str, Val]
    groups: np.ndarray  # per row, its slice's number
    group_count: int
    today: float
    populations: dict[str, int | None]
    scope: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # rows the rule applies to

    @property
    def size(self) -> int:
        return len(self.groups)


Fn = Callable[[Env], Val]


@dataclass(frozen=True)
class Compiled:
    """An expression ready to run: its function, its type, the columns it reads."""

    run: Fn
    type: str
    columns: tuple[str, ...]  # code names read from the row (outside aggregates first), in order of use
    row_level: bool  # reads a row outside any sum()/count(); else it judges a slice as a whole
    uses_last: bool
    aggregated: tuple[str, ...] = ()  # code names read inside sum()
    grouped: bool = False  # uses sum() or count(): needs the file's slices


# ----------------------------------------------------------------- evaluation helpers
def _const(value: Any, type_: str) -> Fn:
    def run(env: Env) -> Val:
        data = np.full(env.size, value, dtype=object if type_ == TEXT else np.float64 if type_ != BOOL else bool)
        return Val(data, np.zeros(env.size, dtype=bool), type_)

    return run


def _and(a: Val, b: Val) -> Val:
    false_a, false_b = ~a.na & ~a.data, ~b.na & ~b.data
    value = ~a.na & ~b.na & a.data & b.data
    na = ~(false_a | false_b) & (a.na | b.na)
    return Val(value, na, BOOL)


def _or(a: Val, b: Val) -> Val:
    true_a, true_b = ~a.na & a.data, ~b.na & b.data
    value = true_a | true_b
    na = ~value & (a.na | b.na)
    return Val(value, na, BOOL)


def _arith(op: ast.operator, a: Val, b: Val, type_: str) -> Val:
    na = a.na | b.na
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(op, ast.Add):
            data = a.data + b.data
        elif isinstance(op, ast.Sub):
            data = a.data - b.data
        elif isinstance(op, ast.Mult):
            data = a.data * b.data
        else:
            data = a.data / b.data
            na = na | (b.data == 0)
    return Val(np.where(na, np.nan, data), na, type_)


_COMPARE = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _compare_values(op: ast.cmpop, a: Val, b: Val) -> Val:
    na = a.na | b.na
    if a.type == TEXT:
        left = np.where(na, "", a.data.astype(object)).astype(str)
        right = np.where(na, "", b.data.astype(object)).astype(str)
        data = (left == right) if isinstance(op, ast.Eq) else (left != right)
    else:
        data = _COMPARE[type(op)](np.where(na, 0, a.data), np.where(na, 0, b.data))
    return Val(np.asarray(data, dtype=bool) & ~na, na, BOOL)


def _group_sum(env: Env, value: Val) -> Val:
    use = env.scope & ~value.na
    totals = np.bincount(env.groups[use], weights=value.data[use], minlength=env.group_count)
    counted = np.bincount(env.groups[use], minlength=env.group_count)
    na = counted[env.groups] == 0
    return Val(np.where(na, np.nan, totals[env.groups]), na, NUM)


def _group_count(env: Env) -> Val:
    counted = np.bincount(env.groups[env.scope], minlength=env.group_count)
    return Val(counted[env.groups].astype(np.float64), np.zeros(env.size, dtype=bool), NUM)


# ----------------------------------------------------------------- the compiler
@dataclass
class _Names:
    """The names a dataset's rules may use, and what the compiler has seen so far."""

    dataset: Dataset
    lets: dict[str, ast.expr]
    types: dict[str, str]  # code name -> type
    aliases: dict[str, str]  # Chinese column name -> code name
    read: list[str] = field(default_factory=list)
    summed: list[str] = field(default_factory=list)
    row_level: bool = False
    uses_last: bool = False
    grouped: bool = False
    expanding: tuple[str, ...] = ()


def names_of(dataset: Dataset) -> tuple[dict[str, str], dict[str, str]]:
    """(code name -> type, Chinese name -> code name) of what a rule may read in this dataset."""
    types = {c.name: KIND_TYPES[c.kind] for c in dataset.columns}
    aliases = {c.zh: c.name for c in dataset.columns}
    aliases |= {_UNIT.sub("", c.zh): c.name for c in dataset.columns}  # 金额（元） is 金额 in a rule
    if any(c.kind == "period" for c in dataset.columns):
        types |= {"period_start": DATE, "period_end": DATE}
        aliases |= {"统计期开始": "period_start", "统计期末": "period_end"}
    return types, aliases


class _Compiler:
    def __init__(self, names: _Names, text: str) -> None:
        self.names, self.text = names, text

    def fail(self, node: ast.AST | None, message: str) -> RuleError:
        where = f" (at column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
        return RuleError(f"{message}{where} in {self.text!r}")

    def expr(self, node: ast.expr, last: bool = False, inside_sum: bool = False) -> tuple[Fn, str]:
        method = getattr(self, f"_{type(node).__name__.lower()}", None)
        if method is None:
            raise self.fail(node, f"{type(node).__name__} is not part of the rule language")
        return method(node, last, inside_sum)

    # --- leaves
    def _constant(self, node: ast.Constant, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        value = node.value
        if isinstance(value, bool):
            return _const(value, BOOL), BOOL
        if isinstance(value, (int, float)):
            return _const(float(value), NUM), NUM
        if isinstance(value, str):
            return _const(value, TEXT), TEXT
        raise self.fail(node, f"the value {value!r} is not a number, text or True/False")

    def _name(self, node: ast.Name, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        name = node.id
        if name in TODAY_NAMES:
            return (lambda env: Val(np.full(env.size, env.today), np.zeros(env.size, dtype=bool), DATE)), DATE
        if name in self.names.lets:
            if name in self.names.expanding:
                raise self.fail(node, f"{name} is defined by itself")
            self.names.expanding += (name,)
            outer, self.text = self.text, f"let {name}: {ast.unparse(self.names.lets[name])}"
            try:
                return self.expr(self.names.lets[name], last, inside_sum)
            finally:
                self.names.expanding, self.text = self.names.expanding[:-1], outer
        code = self.names.aliases.get(name, name)
        if code not in self.names.types:
            known = ", ".join(self.names.types)
            raise self.fail(node, f"unknown name {name!r} ({self.names.dataset.name} has: {known})")
        (self.names.summed if inside_sum else self.names.read).append(code)
        if not inside_sum:
            self.names.row_level = True
        type_ = self.names.types[code]
        if last:
            self.names.uses_last = True
            return (lambda env: env.last[code]), type_
        return (lambda env: env.rows[code]), type_

    def _attribute(self, node: ast.Attribute, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        if not (isinstance(node.value, ast.Name) and node.value.id in LAST_NAMES):
            raise self.fail(node, "only last.<column> (上期.<列名>) may be written with a dot")
        return self.expr(ast.copy_location(ast.Name(id=node.attr, ctx=ast.Load()), node), True, inside_sum)

    # --- operators
    def _binop(self, node: ast.BinOp, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            raise self.fail(node, "only + - * / are arithmetic here")
        (left, lt), (right, rt) = self.expr(node.left, last, inside_sum), self.expr(node.right, last, inside_sum)
        op = node.op
        if lt == NUM and rt == NUM:
            type_ = NUM
        elif lt == DATE and rt == DATE and isinstance(op, ast.Sub):
            type_ = NUM  # days between two dates
        elif lt == DATE and rt == NUM and isinstance(op, (ast.Add, ast.Sub)):
            type_ = DATE
        else:
            raise self.fail(node, f"cannot compute {lt} {_op_word(op)} {rt}")
        return (lambda env: _arith(op, left(env), right(env), type_)), type_

    def _unaryop(self, node: ast.UnaryOp, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        inner, type_ = self.expr(node.operand, last, inside_sum)
        if isinstance(node.op, ast.USub) and type_ == NUM:

            def negative(env: Env) -> Val:
                value = inner(env)
                return Val(-value.data, value.na, NUM)

            return negative, NUM
        if isinstance(node.op, ast.Not) and type_ == BOOL:

            def negation(env: Env) -> Val:
                value = inner(env)
                return Val(~value.data & ~value.na, value.na, BOOL)

            return negation, BOOL
        raise self.fail(node, f"cannot apply {type(node.op).__name__} to {type_}")

    def _boolop(self, node: ast.BoolOp, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        parts = [self.expr(v, last, inside_sum) for v in node.values]
        if any(t != BOOL for _, t in parts):
            raise self.fail(node, "and / or join conditions (comparisons), not values")
        join = _and if isinstance(node.op, ast.And) else _or

        def run(env: Env) -> Val:
            result = parts[0][0](env)
            for fn, _ in parts[1:]:
                result = join(result, fn(env))
            return result

        return run, BOOL

    def _compare(self, node: ast.Compare, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        operands = [node.left, *node.comparators]
        pairs: list[Fn] = []
        for op, left_node, right_node in zip(node.ops, operands, operands[1:], strict=False):
            if isinstance(op, (ast.In, ast.NotIn)):
                pairs.append(self._membership(op, left_node, right_node, last, inside_sum))
                continue
            if type(op) not in _COMPARE:
                raise self.fail(node, "compare with < <= > >= == != or in")
            left, lt = self.expr(left_node, last, inside_sum)
            right, rt = self.expr(right_node, last, inside_sum)
            left, right = (
                self._enum_literal(left_node, left, right_node),
                self._enum_literal(right_node, right, left_node),
            )
            if lt != rt:
                raise self.fail(node, f"cannot compare {lt} with {rt}")
            if lt in (TEXT, BOOL) and not isinstance(op, (ast.Eq, ast.NotEq)):
                raise self.fail(node, f"{lt} values are compared with == or != only")
            pairs.append(lambda env, op=op, left=left, right=right: _compare_values(op, left(env), right(env)))

        def run(env: Env) -> Val:
            result = pairs[0](env)
            for fn in pairs[1:]:
                result = _and(result, fn(env))
            return result

        return run, BOOL

    def _enum_literal(self, node: ast.expr, fn: Fn, other: ast.expr) -> Fn:
        """A text literal compared with an enumeration column: its label becomes the stored code,
        and a value that is neither is an error now (not a rule that silently never matches)."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return fn
        column = self._enum_column(other)
        if column is None:
            return fn
        code = self._choice(column, node.value, node)
        return _const(code, TEXT)

    def _enum_column(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in LAST_NAMES:
            node = ast.Name(id=node.attr)
        if not isinstance(node, ast.Name):
            return None
        code = self.names.aliases.get(node.id, node.id)
        column = self.names.dataset.column_map.get(code)
        return column if column is not None and column.kind == "enum" else None

    def _choice(self, column: Any, value: str, node: ast.AST) -> str:
        for code, label in column.choices:
            if value in (code, label):
                return code
        words = ", ".join(f"{label} ({code})" for code, label in column.choices)
        raise self.fail(node, f"{value!r} is not a value of {column.name} ({words})")

    def _membership(self, op: ast.cmpop, left_node: ast.expr, right_node: ast.expr, last: bool, s: bool) -> Fn:
        if not isinstance(right_node, (ast.List, ast.Tuple)) or not all(
            isinstance(e, ast.Constant) for e in right_node.elts
        ):
            raise self.fail(right_node, "in takes a list of values, e.g. fund_type in ['reform_pilot']")
        left, type_ = self.expr(left_node, last, s)
        column = self._enum_column(left_node)
        values = [e.value for e in right_node.elts]  # type: ignore[attr-defined]
        if column is not None:
            values = [self._choice(column, str(v), right_node) for v in values]
        if type_ == NUM:
            values = [float(v) for v in values]
        negate = isinstance(op, ast.NotIn)

        def run(env: Env) -> Val:
            value = left(env)
            found = np.isin(value.data.astype(object) if type_ == TEXT else value.data, values)
            data = (~found if negate else found) & ~value.na
            return Val(data, value.na.copy(), BOOL)

        return run

    def _call(self, node: ast.Call, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise self.fail(node, f"functions are {', '.join(FUNCTIONS)}")
        name, args = node.func.id, node.args
        if name in LAST_NAMES:
            if len(args) != 1:
                raise self.fail(node, "last(…) takes one expression")
            return self.expr(args[0], True, inside_sum)
        if name in AGGREGATES:
            return self._aggregate(node, name, last, inside_sum)
        parts = [self.expr(a, last, inside_sum) for a in args]
        types = {t for _, t in parts}
        if name == "population":
            if len(parts) != 1 or types != {TEXT}:
                raise self.fail(node, "population(township) takes a township")
            return _population(parts[0][0]), NUM
        wrong = not parts or len(types) != 1 or (name != "coalesce" and types != {NUM})
        if wrong or (name == "abs" and len(parts) != 1):
            raise self.fail(node, f"{name}(…) takes " + ("one number" if name == "abs" else "values of one type"))
        type_ = types.pop()
        fns = [p[0] for p in parts]
        return (lambda env: _combine(name, [f(env) for f in fns], type_)), type_

    def _aggregate(self, node: ast.Call, name: str, last: bool, inside_sum: bool) -> tuple[Fn, str]:
        """sum(…) / count() over the row's slice (the rows the rule's ``when`` chose)."""
        if inside_sum:
            raise self.fail(node, f"{name}() inside another sum()")
        self.names.grouped = True
        if name == "count":
            if node.args:
                raise self.fail(node, "count() counts the slice's rows and takes nothing")
            return _group_count, NUM
        if len(node.args) != 1:
            raise self.fail(node, "sum(…) takes one expression")
        inner, type_ = self.expr(node.args[0], last, True)
        if type_ != NUM:
            raise self.fail(node, "sum(…) adds numbers")
        return (lambda env: _group_sum(env, inner(env))), NUM


def _population(township: Fn) -> Fn:
    """The configured youth population of each row's township (empty where none is configured)."""

    def run(env: Env) -> Val:
        found = np.array([env.populations.get(str(t)) for t in township(env).data], dtype=object)
        na = np.array([v is None for v in found], dtype=bool)
        return Val(np.where(na, np.nan, found).astype(np.float64), na, NUM)

    return run


def _combine(name: str, values: list[Val], type_: str) -> Val:
    if name == "abs":
        return Val(np.abs(values[0].data), values[0].na, NUM)
    if name == "coalesce":
        data, na = values[0].data.copy(), values[0].na.copy()
        for v in values[1:]:
            data = np.where(na, v.data, data)
            na = na & v.na
        return Val(data, na, type_)
    stacked = np.vstack([np.where(v.na, np.nan, v.data) for v in values])
    na = np.logical_or.reduce([v.na for v in values])  # like SQL's least/greatest in strict form
    with np.errstate(invalid="ignore"):
        data = np.nanmin(stacked, axis=0) if name == "min" else np.nanmax(stacked, axis=0)
    return Val(data, na, NUM)


def _op_word(op: ast.operator) -> str:
    return {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}.get(type(op), "?")


def _parse(text: str) -> ast.expr:
    if not isinstance(text, str) or not text.strip():
        raise RuleError("an empty rule")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"cannot read {text!r}: {exc.msg} at column {exc.offset}") from None


def compile_rule(text: str, dataset: Dataset, lets: dict[str, str] | None = None, want: str = BOOL) -> Compiled:
    """Read one expression for ``dataset`` (a condition, or any value with ``want=""``); RuleError
    says what is wrong and where."""
    types, aliases = names_of(dataset)
    parsed_lets: dict[str, ast.expr] = {}
    for name, body in (lets or {}).items():
        if not str(name).isidentifier() or name in types or name in aliases or name in FUNCTIONS:
            raise RuleError(f"let: {name!r} must be a new name (letters, digits, _), not a column or function")
        parsed_lets[str(name)] = _parse(body)
    names = _Names(dataset, parsed_lets, types, aliases)
    compiler = _Compiler(names, text)
    run, type_ = compiler.expr(_parse(text))
    if want and type_ != want:
        raise RuleError(f"{text!r} gives a {type_}, a rule must be a condition (e.g. a <= b)")
    return Compiled(
        run,
        type_,
        tuple(dict.fromkeys(names.read)),
        names.row_level,
        names.uses_last,
        tuple(dict.fromkeys(names.summed)),
        names.grouped,
    )


def today_days(day: date) -> float:
    return float(days([day])[0])


# ----------------------------------------------------------------- a configured rule
HARD = "hard"
LEVELS = (HARD, "soft")


@dataclass(frozen=True)
class Check:
    """One configured rule (``config.yaml`` → ``checks``): where it applies, what must hold, what
    the clerk is told. Run by ``reform.checks``."""

    name: str
    dataset: str
    level: str  # hard: blocks the upload | soft: needs an explanation
    check: Compiled
    when: Compiled | None
    message: str  # Chinese
    message_en: str
    text: str  # the condition as written (shown to administrators)
    shown: tuple[tuple[str, Compiled, Compiled | None], ...] = ()  # named values (let) now and last period


def build(
    name: str, dataset: str, level: str, check: str, when: str | None, lets: dict[str, str], messages: tuple[str, str]
) -> Check:
    """A rule from its configured parts; RuleError (with the reason) when one does not read."""
    ds = DATASETS[dataset]
    compiled = compile_rule(check, ds, lets)
    condition = compile_rule(when, ds, lets) if when else None
    if condition is not None and condition.grouped:
        raise RuleError("when: chooses rows, so it cannot use sum() or count()")
    shown = tuple(
        (
            let,
            compile_rule(let, ds, lets, want=""),
            compile_rule(f"last({let})", ds, lets, want="") if compiled.uses_last else None,
        )
        for let in lets
    )
    return Check(name, dataset, level, compiled, condition, messages[0], messages[1], check, shown)
