"""A JSON object decoded while its bytes arrive, for the backend's large answers.

A city's snapshot is ~100 MB of JSON (50,000 cases with their histories). Read whole and then
``json.loads``'d, the console's decode (~2 s) starts only when the backend has finished
sending (~1 s): one after the other. Here the object's members, and the items of a member that
is an array (the snapshot's ``cases``, ``vehicles``, ``alerts``), are decoded as their text
arrives (``json.JSONDecoder.raw_decode``, the standard library's C scanner), so the decode runs
while the backend still writes, and the result is the same object ``json.loads`` makes of the
whole text. An array of objects goes in batches, every item received so far in one call
(``_Text.values``): one at a time cost ~1.4x ``json.loads``'s time, and each item held its
own copy of every key (~2 kB per case).

A value is taken once a character that may follow a value comes after it; until then it is
decoded again as more text comes (``12`` may be the start of ``1234``, ``1e`` of ``1e5``). A value that fails to decode waits for the text to
double past it before the next try, so broken input costs O(n) retries at most, and at the
end of the input the failure is raised as ``json.loads`` would raise it (a ``ValueError``).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"
#: What may follow a complete value. Anything else (``1e`` of ``1e5``) means more is coming.
_AFTER = _SPACE + ",:]}"
#: ``_Text.values``: how far into an item its first key's colon is looked for.
MAX_BATCH_KEY = 64


class _Text:
    """The received text and a read position; more is pulled from ``chunks`` on demand."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks: Iterator[bytes] = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.ended = False
        self._single_until = 0  # ``values``: a batch failed ending here, go one by one

    def more(self, at_least: int = 1) -> bool:
        """Receive at least ``at_least`` more characters (or up to the end); False at the end."""
        if self.ended:
            return False
        # Keep only what is not decoded yet (a part of one value, usually): the copy is
        # small, and a failed try's error message counts lines from the text's start.
        parts, got = [self.text[self.pos :]], 0
        self._single_until = max(0, self._single_until - self.pos)
        self.pos = 0
        for chunk in self._chunks:
            part = self._utf8.decode(chunk)
            parts.append(part)
            got += len(part)
            if got >= at_least:
                break
        else:
            parts.append(self._utf8.decode(b"", final=True))
            self.ended = True
        self.text = "".join(parts)
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end of the input)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise ValueError(f"expected one of {chars!r} at character {self.pos}, got {c!r}")
        self.pos += 1
        return c

    def value(self) -> Any:
        """The JSON value at the read position, decoded once its text is complete."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if not self.more(at_least=len(self.text) - self.pos):
                    raise
                continue
            if (end < len(self.text) and self.text[end] in _AFTER) or not self.more():
                self.pos = end
                return value

    def values(self) -> list[Any]:
        """Array items from the read position: every complete one received so far, in one
        decode, when they are objects written without spaces (the snapshot's cases: one
        C-level call for hundreds, sharing their keys' strings as ``json.loads`` does); else
        the next one (``value``).

        The batch ends where the text holds ``},`` and the first item's opening up to its
        first key's colon (``{"id":``), the likeliest place where one item ends and the next
        begins; the text up to there, in brackets, is decoded as one array and taken only if
        it decodes whole. A prefix of the items that ends inside one of them never does (its
        brackets do not balance), so what is taken is exactly the items one by one would
        give. A place that fails is not tried again: the items up to it go one by one."""
        self.peek()
        text, pos = self.text, self.pos
        if pos >= self._single_until and text.startswith('{"', pos):
            colon = text.find(":", pos, pos + MAX_BATCH_KEY)
            cut = text.rfind("}," + text[pos : colon + 1], pos) if colon > 0 else -1
            if cut > pos:
                try:
                    items, end = _DECODER.raw_decode("[" + text[pos : cut + 1] + "]")
                except json.JSONDecodeError:
                    items, end = None, -1
                if isinstance(items, list) and end == cut + 3 - pos:
                    self.pos = cut + 1
                    return items
                self._single_until = cut
        return [self.value()]


def load(chunks: Iterable[bytes]) -> Any:
    """The JSON object in the UTF-8 bytes ``chunks``, decoded as they come (see the module
    docstring); anything but an object is decoded whole. ``ValueError`` when it is not JSON."""
    t = _Text(chunks)
    if t.peek() != "{":
        value = t.value()
        if t.peek():
            raise ValueError(f"extra data at character {t.pos}")
        return value
    t.expect("{")
    out: dict[str, Any] = {}
    if t.peek() == "}":
        t.expect("}")
    else:
        while True:
            key = t.value()
            if not isinstance(key, str):
                raise ValueError(f"an object key must be a string, at character {t.pos}")
            t.expect(":")
            out[key] = _array(t) if t.peek() == "[" else t.value()
            if t.expect(",}") == "}":
                break
    if t.peek():
        raise ValueError(f"extra data at character {t.pos}")
    return out


def _array(t: _Text) -> list[Any]:
    t.expect("[")
    items: list[Any] = []
    if t.peek() == "]":
        t.expect("]")
        return items
    while True:
        items += t.values()
        if t.expect(",]") == "]":
            return items
