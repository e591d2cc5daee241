"""Numbers typed by a user: a decimal comma or point, thousands separators only where they cannot be
mistaken for a decimal separator. An ambiguous entry ("1,500": fifteen hundred or one and a half?)
is refused with a reason, never guessed."""
from __future__ import annotations

import math
import re

_SPACES = re.compile(r"[\s\u00a0\u202f']")


class NumberError(ValueError):
    """`reason` is "not_a_number" or "ambiguous"; the message says what was typed."""

    def __init__(self, text: str, reason: str):
        super().__init__(f"{text!r}: {reason}")
        self.text, self.reason = text, reason


def _grouped(digits: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", digits) is not None


def parse_decimal(text, decimal_point: str = ".") -> float:
    """A number typed in a form or a table cell, in a locale whose decimal separator is
    `decimal_point` ("." or ","); the other of the two is its thousands separator.

    "12", "12.5", "12,5", "0,125", "1,234.5", " 3 " are numbers; "1,500" (in a "." locale) is
    ambiguous; "abc", "1.2.3" are not numbers. Raises NumberError."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
        if not math.isfinite(value):
            raise NumberError(str(text), "not_a_number")
        return value
    raw = str(text)
    s = _SPACES.sub("", raw)
    sign = ""
    if s and s[0] in "+-":
        sign, s = s[0], s[1:]
    group = "," if decimal_point == "." else "."
    if not s or not re.fullmatch(r"[\d.,]+", s) or not any(c.isdigit() for c in s):
        raise NumberError(raw, "not_a_number")
    commas, points = s.count(","), s.count(".")
    if commas and points:
        # both: the later one is the decimal separator, the other must group thousands properly
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        other = "." if dec == "," else ","
        whole, _, frac = s.rpartition(dec)
        if s.count(dec) != 1 or not frac.isdigit() or not _grouped(whole, other):
            raise NumberError(raw, "not_a_number")
        number = whole.replace(other, "") + "." + frac
    elif commas + points == 0:
        number = s
    else:
        sep = "," if commas else "."
        whole, _, frac = s.partition(sep)
        if s.count(sep) > 1:
            if not _grouped(s, sep):
                raise NumberError(raw, "not_a_number")
            number = s.replace(sep, "")
        elif sep == group and len(frac) == 3 and whole.isdigit() and 1 <= len(whole) <= 3 \
                and not whole.startswith("0"):
            raise NumberError(raw, "ambiguous")   # 1,500: a thousands separator or a decimal comma?
        else:
            if not frac.isdigit() and frac != "":
                raise NumberError(raw, "not_a_number")
            number = (whole or "0") + "." + (frac or "0")
    try:
        value = float(sign + number)
    except ValueError:
        raise NumberError(raw, "not_a_number") from None
    if not math.isfinite(value):
        raise NumberError(raw, "not_a_number")
    return value
