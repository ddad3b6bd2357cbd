"""Text from files stays text wherever it is shown (issue 11, finding 8).

A property test: any text, made inert, parses (CommonMark + GFM tables, strikethrough,
autolinks, dollar maths, raw HTML allowed) to one paragraph of plain text that reads
exactly as typed, and holds none of the patterns Streamlit turns into icons, colours or
links after parsing. The same for the HTML of the exported deck.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from reform.text import WORD_JOINER, inert_html, inert_markdown, shown

PARSER = (
    MarkdownIt("commonmark", {"html": True, "linkify": True})
    .enable(["table", "strikethrough", "linkify"])
    .use(dollarmath_plugin)
)
HOSTILE = [
    '=HYPERLINK("http://evil.example","点击")',
    ":material/warning:",
    ":red[红色] :blue-background[蓝]",
    ":smile: :+1:",
    "[点我](javascript:alert(1))",
    "![img](http://evil.example/x.png)",
    "<b>粗</b><script>alert(1)</script>",
    "www.evil.example",
    "mail me@evil.example",
    "evil.example/path",
    "$x^2$ $$y$$",
    "# 标题",
    "    缩进代码",
    "- 列表\n1. 列表",
    "`code` ```block```",
    "**粗** __粗__ ~~删~~",
    "| a | b |\n|---|---|",
    "&lt;&amp;",
    "<http://evil.example>",
    "罗塘街道第一中学\n\n---",
]
STREAMLIT_PATTERNS = [
    re.compile(r":[\w/+-]+:"),  # icon and emoji shortcodes
    re.compile(r":[a-z-]+\["),  # coloured text and badges
    re.compile(r"[a-z][a-z0-9+.-]*:/"),  # URL schemes
    re.compile(r"(?i)www\."),
    re.compile(r"\w@\w"),  # e-mail addresses
    re.compile(r"\.[^\W\d_]"),  # bare domains
]


def _plain(markdown: str) -> str:
    """The text a reader sees, asserting on the way that nothing but plain text was made."""
    tokens = PARSER.parse(markdown)
    assert [t.type for t in tokens] in ([], ["paragraph_open", "inline", "paragraph_close"]), tokens
    if not tokens:
        return ""
    children = tokens[1].children or []
    kinds = {c.type for c in children}
    assert kinds <= {"text", "softbreak"}, kinds
    return "".join(c.content for c in children)


def _expected(text: str) -> str:
    return re.sub(r"[\r\n\t\v\f\u2028\u2029\x85]+", " ", text).strip(" ")


def _check(text: str) -> None:
    rendered = _plain(inert_markdown(text))
    assert shown(rendered).strip() == _expected(text).strip()  # edges' white space is no content
    for pattern in STREAMLIT_PATTERNS:
        assert not pattern.search(rendered), (pattern.pattern, rendered)


def test_every_known_attack_renders_as_typed() -> None:
    for text in HOSTILE:
        _check(text)


alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters=WORD_JOINER + "\x00")
pieces = st.one_of(st.text(alphabet, max_size=30), st.sampled_from(HOSTILE))


@settings(max_examples=400, deadline=None)
@given(st.lists(pieces, max_size=6).map("".join))
def test_any_text_renders_as_typed(text: str) -> None:
    _check(text)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=6).map("".join))
def test_any_text_in_the_html_deck_is_text(text: str) -> None:
    collected = _Collect()
    collected.feed(f"<p>{inert_html(text)}</p>")
    collected.close()
    assert collected.tags == ["p"]
    assert "".join(collected.text) == text.replace("\r\n", "\n").replace("\r", "\n") or "".join(collected.text) == text
