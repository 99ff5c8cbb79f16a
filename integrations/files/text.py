"""The text of an imported file: decoding, the rows after a header, numbers in any
locale's format, and the spreadsheet-formula escape the export adds."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator

from django.utils.translation import gettext

# Cells a spreadsheet would run as a formula; the export prefixes them with an apostrophe
# (readings/exporters.py), and the import takes exactly one apostrophe off again.
FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


class ImportRefused(Exception):
    """The whole file is refused (nothing is imported); the message is for the person."""


GROUPING_SPACES = re.compile(r"[ \u00a0\u202f\u2009']")
GROUPED = {",": re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"),
           ".": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")}  # fmt: skip


def number_text(text: str) -> str:
    """A number as written in any locale, as Python reads it: ``5,8`` -> ``5.8``,
    ``1.234,5`` -> ``1234.5``, ``1,234.5`` -> ``1234.5``, ``1 234`` -> ``1234``.

    When both separators occur, the last is the decimal one. A lone separator is a decimal
    one (``5,8``, ``5.8``) unless it repeats in groups of three (``1.234.567``). Text that
    is not a number comes back unchanged, for the caller's "Enter a number"."""
    text = GROUPING_SPACES.sub("", text.strip())
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        if not GROUPED[grouping].match(text):
            return text
        return text.replace(grouping, "").replace(",", ".")
    for separator in (",", "."):
        if text.count(separator) > 1:
            return text.replace(separator, "") if GROUPED[separator].match(text) else text
    return text.replace(",", ".")


def escape_formula(text: str) -> str:
    """Make a cell safe to open in a spreadsheet: prefix an apostrophe to text that would
    start a formula (``= + - @``, tab, carriage return). Reversed by ``unescape_formula``."""
    return "'" + text if FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    return text[1:] if ESCAPED_FORMULA.match(text) else text


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), UTF-16 with a BOM (as
    spreadsheets save "Unicode text"), or Windows-1252 for older Windows files."""
    not_text = ImportRefused(
        gettext(
            "This is not a CSV file. Export your data as CSV (comma-separated values) and "
            "upload that file."
        )
    )
    if data.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        # PDF reports, and Excel workbooks (.xlsx is a zip, .xls an OLE file).
        raise not_text
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_text from None
    elif b"\x00" in data:
        raise not_text
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise not_text from None
    sample = text[:4096]
    # Binary files are full of control characters; a note may hold the odd one (a form or
    # the API accepts any but NUL), so only a file that is mostly controls is refused.
    if "\x00" in text or _control_characters(sample) * 10 > len(sample):
        raise not_text
    return text


def _control_characters(text: str) -> int:
    return sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")


class Rows:
    """The rows after the header, each with the physical line number it starts on.

    Iterable more than once (each pass reads the text again) rather than a list: a list
    of a large file's parsed rows would cost ten times the file's size in memory.
    """

    def __init__(self, text: str, delimiter: str, header_rows: int):
        self.text, self.delimiter, self.header_rows = text, delimiter, header_rows

    def preamble(self) -> list[tuple[int, list[str]]]:
        """The rows before the header (a title row: LibreView's "Generated on ...")."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        found = []
        for _ in range(self.header_rows - 1):
            row = next(reader, None)
            if row is None:
                break
            found.append((reader.line_num, row))
        return found

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        for _ in range(self.header_rows):
            next(reader)
        next_line = reader.line_num + 1
        for row in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            yield line, row
