"""Templates are code: the Jinja sandbox they run in, its limits, and where compiled templates are cached.

A ``--templates`` override (or a project's ``templates/``) is a program the
build runs. In a plain Jinja environment a template can reach Python's
internals (``url.__globals__`` leads to ``os``) and so run commands or copy the
environment's secrets into the email. ``Sandbox`` is Jinja's
``SandboxedEnvironment`` (no attribute starting with ``_``, no unsafe
callables, ``range`` capped at 100,000 numbers) plus bounds on what the
sandbox leaves open, so a careless or hostile template fails with a located
error instead of hanging the build or filling the memory:

- every ``{% for %}`` loop counts against one budget per render
  (``MAX_LOOP_ITERATIONS``), so nesting loops cannot multiply past it;
- ``*``, ``+``, ``~`` and ``**`` refuse to make a text or list longer than
  ``MAX_TEXT`` characters, or a number of more than ``MAX_INT_BITS`` bits;
- the filters and methods that make a text or list longer than their input
  (``center``, ``indent``, ``replace``, ``wordwrap``, ``join``, ``batch``,
  ``format``; ``ljust``, ``zfill``, ``expandtabs``, ``str.join``,
  ``list.extend``, ``str.format``, ``%``...) refuse, before they run, a result
  longer than ``MAX_TEXT`` (``"a"|center(2000000000)`` took 2 GB), and a
  format whose width or argument is a number of more than ``MAX_TEXT``;
- the rendered output is cut off at ``MAX_TEXT`` characters.

The limits are far above what a newsletter needs (the seed uses a few hundred
loop iterations and writes about 60,000 characters).

The bytecode cache is per user (``$XDG_CACHE_HOME/newsletter-pipeline``, else
``~/.cache/newsletter-pipeline``, made 0700). Jinja's default,
``/tmp/_jinja2-cache-<uid>``, is a name any user can create first, which made
every build fail; and whoever can write the cache can make us run code. A
folder that is not ours alone is therefore not used: the build runs without a
bytecode cache (slower, never broken).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache, update_wrapper
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from ..usercache import cache_folder

MAX_LOOP_ITERATIONS = 1_000_000
MAX_TEXT = 50_000_000  # characters: a whole archive feed fits many times over
MAX_INT_BITS = 100_000
LOOP_GUARD = "_newsletter_loop"  # names of the guards the compiled templates call
SIZE_GUARD = "_newsletter_size"
# bumped when the compiled code changes shape (the guards): old bytecode must not be loaded
CACHE_PATTERN = "__jinja2_sandbox1_%s.cache"

_loops_left: ContextVar[list[int] | None] = ContextVar("template_loops_left", default=None)


class TemplateLimit(Exception):
    """A template went past one of the sandbox's bounds."""


def guarded_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    """``iterable``, counting each item against the render's loop budget."""
    budget = _loops_left.get()
    if budget is None:  # rendered outside render_bounded: a budget of its own
        budget = [MAX_LOOP_ITERATIONS]
    for item in iterable:
        budget[0] -= 1
        if budget[0] < 0:
            raise TemplateLimit(f"the template's loops ran more than {MAX_LOOP_ITERATIONS:,} times")
        yield item


def guarded_size(value: Any) -> Any:
    """``value`` unchanged, unless it is a text or list longer than ``MAX_TEXT``."""
    if isinstance(value, (str, list, tuple)):
        _refuse_length(len(value))
    return value


def _refuse_length(length: int) -> None:
    if length > MAX_TEXT:
        raise TemplateLimit(f"the template would make a text or list of more than {MAX_TEXT:,} characters "
                            "or items")


def render_bounded(template: jinja2.Template, values: Mapping[str, Any]) -> str:
    """Render ``template`` with a fresh loop budget; stop once the output passes ``MAX_TEXT``."""
    token = _loops_left.set([MAX_LOOP_ITERATIONS])
    try:
        chunks, size = [], 0
        output = template.generate(values)
        for chunk in output:
            size += len(chunk)
            if size > MAX_TEXT:
                # thrown in where the template is writing, so the traceback names its line
                output.throw(TemplateLimit(f"the template wrote more than {MAX_TEXT:,} characters"))
            chunks.append(chunk)
        return "".join(chunks)
    finally:
        _loops_left.reset(token)


_BIG_NUMBER = re.compile(r"\d{%d,}" % len(str(MAX_TEXT)))  # a width in a format string: "%99999999s"


def _size(name: str, value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """How long filter or method ``name`` would make its result from ``value`` (the text, list or
    separator it works on) and its other arguments, without running it; 0 when it cannot grow anything."""
    def arg(i: int, key: str, default: Any) -> Any:
        return rest[i] if len(rest) > i else kwargs.get(key, default)

    def length(item: Any) -> int:
        return len(item) if isinstance(item, (str, list, tuple)) else 0

    text = value if isinstance(value, str) else ""
    if name in ("center", "ljust", "rjust", "zfill"):
        width = arg(0, "width", 80)
        return width if isinstance(width, int) else 0
    if name == "indent":
        width = arg(0, "width", 4)
        return len(text) + (text.count("\n") + 1) * (width if isinstance(width, int) else len(str(width)))
    if name == "expandtabs":
        size = arg(0, "tabsize", 8)
        return len(text) + text.count("\t") * size if isinstance(size, int) else 0
    if name == "replace":
        old, new = str(arg(0, "old", "")), str(arg(1, "new", ""))
        return len(text) + (text.count(old) if old else len(text) + 1) * max(0, len(new) - len(old))
    if name == "wordwrap":
        width, wrap = arg(0, "width", 79), arg(3, "wrapstring", None)
        lines = len(text) // max(1, width if isinstance(width, int) else 1) + 1
        return len(text) + lines * len(str(wrap or "\n"))
    if name == "join":  # the filter (value, separator) or the method (separator.join(items))
        items, separator = (value, str(arg(0, "d", ""))) if not isinstance(value, str) \
            else (arg(0, "iterable", ()), text)
        if not isinstance(items, (list, tuple)):
            return 0  # a generator: the loop budget and the output bound still hold
        return sum(length(item) for item in items) + len(separator) * max(0, len(items) - 1)
    if name == "batch":  # fill_with pads the last row to linecount items
        count, fill = arg(0, "linecount", 0), arg(1, "fill_with", None)
        return count if fill is not None and isinstance(count, int) else 0
    if name == "extend" and isinstance(value, list):
        return len(value) + length(arg(0, "iterable", ()))
    return 0


def _refuse_growth(name: str, value: Any, rest: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    _refuse_length(_size(name, value, rest, kwargs))
    if name in ("format", "format_map"):
        _refuse_format(str(value), (*rest, *kwargs.values()))


def _refuse_format(spec: str, values: Iterable[Any]) -> None:
    """A format whose width (in the spec, or given as an argument, as a number or as digits) passes the bound."""
    numbers = [int(v) for v in values if (isinstance(v, int) and not isinstance(v, bool))
               or (isinstance(v, str) and v.isdigit() and len(v) < 30)]
    if _BIG_NUMBER.search(spec) or any(abs(n) > MAX_TEXT for n in numbers):
        raise TemplateLimit(f"the template would format a text wider than {MAX_TEXT:,} characters")


_GROWING_FILTERS = ("center", "indent", "replace", "format", "wordwrap", "join", "batch")
_GROWING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "extend"})


def _guarded_filter(name: str, function: Any) -> Any:
    passed = getattr(function, "jinja_pass_arg", None)  # pass_environment / pass_eval_context: one first

    def guarded(*args: Any, **kwargs: Any) -> Any:
        own = args[1:] if passed is not None else args
        _refuse_growth(name, own[0] if own else "", own[1:], kwargs)
        return function(*args, **kwargs)

    if passed is not None:
        guarded.jinja_pass_arg = passed  # type: ignore[attr-defined]
    return guarded


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with loops and the growth of values bounded (see the module docstring)."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in _GROWING_FILTERS:
            self.filters[name] = _guarded_filter(name, self.filters[name])

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """``"a".ljust(2000000000)``: a text method that would grow past the bound is refused first."""
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, (str, list)) and getattr(__obj, "__name__", "") in _GROWING_METHODS:
            _refuse_growth(__obj.__name__, owner, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Any:
        """``"{:2000000000}".format(1)`` and ``"{:{}}".format("a", 2000000000)``, refused first."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        spec, is_map = value.__self__, value.__name__ == "format_map"

        def guarded(*args: Any, **kwargs: Any) -> Any:
            given = args[0].values() if is_map and args and isinstance(args[0], Mapping) else (*args,
                                                                                                *kwargs.values())
            _refuse_format(spec, given)
            return wrapped(*args, **kwargs)

        return update_wrapper(guarded, value)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _refuse_huge_power(left, right)
        elif operator == "%":  # '%*s' % (1000000000, 'a')
            if isinstance(left, str):
                _refuse_format(left, right.values() if isinstance(right, Mapping) else
                               right if isinstance(right, tuple) else (right,))
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                    _refuse_length(len(sequence) * times)
        elif isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _refuse_length(len(left) + len(right))
        return super().call_binop(context, operator, left, right)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The parsed template with every loop and ``~`` wrapped in a guard (Jinja has no public hook)."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = self._guard(LOOP_GUARD, loop.iter)
        for parent in list(tree.find_all(nodes.Node)):
            for field in parent.fields:
                child = getattr(parent, field, None)
                if isinstance(child, nodes.Concat):
                    setattr(parent, field, self._guard(SIZE_GUARD, child))
                elif isinstance(child, list):
                    setattr(parent, field, [self._guard(SIZE_GUARD, c) if isinstance(c, nodes.Concat) else c
                                            for c in child])
        return tree

    def _guard(self, guard: str, node: nodes.Expr) -> nodes.Expr:
        call = nodes.Call(nodes.Name(guard, "load"), [node], [], None, None, lineno=node.lineno)
        call.set_environment(self)
        return call


def _refuse_huge_power(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1 \
            and right * math.log2(abs(left)) > MAX_INT_BITS:
        raise TemplateLimit(f"{left} ** {right} is a number too large for a template")


def guards() -> dict[str, Any]:
    """The globals the compiled templates call."""
    return {LOOP_GUARD: guarded_loop, SIZE_GUARD: guarded_size}


@lru_cache(maxsize=1)
def bytecode_cache(text: bool = False, tag: str = "") -> jinja2.BytecodeCache | None:
    """A bytecode cache in the user's own cache folder, or ``None`` when it is not safe to use.

    ``text=True`` is the plain-text environment's: its files are kept apart,
    since autoescaping is compiled into the bytecode; ``tag`` names anything
    else compiled into it that the template's source does not show.
    """
    folder = cache_folder(os.environ)
    pattern = CACHE_PATTERN.replace("_%s", f"_{'text_' if text else ''}{tag}_%s")
    return jinja2.FileSystemBytecodeCache(str(folder), pattern) if folder else None
