"""Untrusted text made safe for each place it is shown: the terminal, XML reports, Unicode-only formats.

Entry ids, file names, policy names and messages quoting them come from files that an attacker may write.
Guarantees:

* :func:`terminal` returns text without any character a terminal interprets: C0 and C1 controls (ESC,
  NUL, BEL, CR, newline, tab...), DEL, line/paragraph separators, bidirectional overrides and isolates
  (the "Trojan Source" characters), lone surrogates and non-characters each become a visible escape
  (``\\x1b``, ``\\u202e``); everything else is kept. One line in, one line out.
* :func:`xml_text` returns text made only of XML 1.0 characters (``#x9 | #xA | #xD | [#x20-#xD7FF] |
  [#xE000-#xFFFD] | [#x10000-#x10FFFF]``); every other character becomes a visible escape, so a document
  built from it is always well-formed (markup characters are the XML library's to escape).
* :func:`unicode_text` replaces lone surrogates (a file name that is not UTF-8 arrives with them) by a
  visible escape, so the text encodes as UTF-8 and every JSON parser accepts it.

The escapes are for reading: ``\\x1b`` in the output may also have been those four characters in the input.
"""

from __future__ import annotations

import re

_SURROGATE = "\ud800-\udfff"
_NONCHAR = "\ufdd0-\ufdef\ufffe\uffff"
_TERMINAL = re.compile(
    f"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069{_SURROGATE}{_NONCHAR}]"
)
_NOT_XML = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SURROGATE}\ufffe\uffff]")
_LONE_SURROGATE = re.compile(f"[{_SURROGATE}]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every character a terminal would act on replaced by a visible escape."""
    return _TERMINAL.sub(_visible, text)


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by a visible escape."""
    return _NOT_XML.sub(_visible, text)


def unicode_text(text: str) -> str:
    """``text`` with lone surrogates replaced by a visible escape (always encodable as UTF-8)."""
    return _LONE_SURROGATE.sub(_visible, text)
