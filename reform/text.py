"""Text from files made inert wherever it is shown: Markdown (pages, meeting mode) and HTML (exports).

A unit name such as ``=HYPERLINK("http://evil.example","点击")`` or ``:material/warning:``
is data. Escaping Markdown's specials with backslashes is not enough in Streamlit: its
renderer turns ``:icon:`` shortcodes, ``:red[...]`` colours and bare URLs into icons,
colours and links in the *text* it has already unescaped. So besides the backslashes, a
word joiner (U+2060, invisible, zero width) goes where such a pattern would begin:
after every colon and ``@``, inside ``www.`` and before a letter after a dot (a domain),
so that no shortcode, scheme, e-mail or domain survives as a pattern. Line breaks
become spaces (a summary is one line; a break could start a heading or a code block).
"""

from __future__ import annotations

import html
import re

WORD_JOINER = "\u2060"
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'^@])")
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
_JOIN_AFTER = re.compile(r"(\\:|\\@)")
_DOMAIN_DOT = re.compile(r"(\\\.)(?=[^\W\d_])")
_WWW = re.compile(r"(?i)(w)(w)(w)")


def inert_markdown(text: object) -> str:
    """``text`` as Markdown that renders as exactly that text: no link, image, icon, colour,
    formula, heading, list, code, emphasis or HTML, whatever it contains."""
    flat = _BREAKS.sub(" ", "" if text is None else str(text))
    escaped = _SPECIAL.sub(r"\\\1", flat)
    escaped = _JOIN_AFTER.sub(r"\1" + WORD_JOINER, escaped)
    escaped = _DOMAIN_DOT.sub(r"\1" + WORD_JOINER, escaped)
    escaped = _WWW.sub(r"\1" + WORD_JOINER + r"\2" + WORD_JOINER + r"\3", escaped)
    return escaped.lstrip(" ")


def inert_html(text: object) -> str:
    """``text`` for an HTML page or attribute: every tag, entity and quote shown as typed."""
    return html.escape("" if text is None else str(text), quote=True)


def shown(markdown: str) -> str:
    """What a reader sees of ``inert_markdown``'s output: the joiners removed (for tests and copies)."""
    return markdown.replace(WORD_JOINER, "")


# Control characters, invisible format characters and direction overrides (U+202E can make a text
# read backwards in a message); the emoji joiner U+200D stays.
_UNSEEN = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u2028\u2029]"
)


def flat(text: object, limit: int) -> str:
    """A person's words as they may leave the system or be kept (a return reason in a group message,
    an explanation): one line, no control or direction characters, at most ``limit`` characters. A
    line break in a reviewer's reason must not start an official-looking second line in 企业微信."""
    one = " ".join(_UNSEEN.sub(" ", "" if text is None else str(text)).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def quoted(text: object, limit: int) -> str:
    """``flat`` text in Chinese quotation marks: read as somebody's words, not the system's."""
    return f"“{flat(text, limit)}”"
