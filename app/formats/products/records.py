"""Reading a product file: bytes to text, text to CSV records with spreadsheet row numbers.

Excel on Windows saves "CSV" in Windows-1252 unless told "CSV UTF-8", so a file that is not
UTF-8 is read as Windows-1252 (or Latin-1 for the five bytes Windows-1252 leaves undefined)
and the caller is told so. A file that mixes both is refused: guessing would garble names.

The csv module is run in strict mode: a quote mark that opens a cell and never closes would
otherwise swallow the rest of the file into one cell without a word. Such a file stops the
import with the row where the quote opens.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Final

from app.errors import ParseError


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not imported (or imported with a warning), in words a person can use."""

    row: int
    """The row as a spreadsheet numbers it: the header is row 1, the first product row 2."""
    message: str
    """What is wrong, without the row number (the caller shows "row 7: " before it)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    note: str
    """Empty for UTF-8; otherwise how the file was read, for the import summary."""


# A valid UTF-8 sequence of two to four bytes: Windows-1252 text almost never holds one.
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(data: bytes) -> Decoded:
    """The file's text: UTF-8 (with or without a byte order mark), UTF-16 with a byte order
    mark, else Windows-1252 or Latin-1, with a note saying which."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "read as UTF-16")
        except UnicodeDecodeError as error:
            raise ParseError(f"The file is not valid UTF-16 text (byte {error.start})") from None
    try:
        return Decoded(data.decode("utf-8"), "")
    except UnicodeDecodeError as error:
        bad = error.start
    if _UTF8_SEQUENCE.search(data):
        line = data.count(b"\n", 0, bad) + 1
        raise ParseError(
            f"The file is partly UTF-8 and partly another encoding (first odd byte on line "
            f'{line}): save it again as "CSV UTF-8" and import that'
        )
    try:
        return Decoded(data.decode("cp1252"), "read as Windows-1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "read as ISO-8859-1 (Latin-1)")


@dataclass(slots=True)
class Records:
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """Non-blank data rows with their spreadsheet row numbers, each exactly one cell longer
    than the header (the extra cell is empty)."""
    warnings: list[RowProblem] = field(default_factory=list)


def _delimiter(text: str) -> str:
    """Comma unless the header line plainly uses semicolons or tabs (European Excel)."""
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _allow_long_cells(size: int) -> None:
    # The csv module refuses cells over 131 072 characters (a long HTML description, a
    # pasted image): a whole file rejected for a column nobody imports. Any cell of the file
    # fits in the file.
    if csv.field_size_limit() < size:
        csv.field_size_limit(size)


def _quote_problem(row: int, error: csv.Error) -> ParseError:
    text = str(error)
    if "unexpected end of data" in text:
        what = "opens a cell there and never closes, so the rest of the file reads as one cell"
    elif "expected after" in text:
        what = 'inside a cell is not doubled (inside quotes, write a quote mark as "")'
    else:
        return ParseError(f"The file cannot be read as CSV at row {row}: {text}")
    return ParseError(
        f'Row {row}: a quote mark (") {what}. Nothing was imported: fix the quotes on that '
        "row (or save the file again from the spreadsheet) and retry"
    )


def _holds_rows(cells: list[str], delimiter: str, width: int) -> bool:
    """Whether a cell with line breaks holds lines that are rows of the sheet (as many
    delimiters as a row has), swallowed by a quote that opened too early."""
    if width < 3:
        return False
    for cell in cells:
        if "\n" in cell:
            for line in cell.split("\n")[1:]:
                if line.count(delimiter) >= width - 1:
                    return True
    return False


def read_records(text: str) -> Records:
    """The header and the data rows of ``text``. Blank rows (Excel pads sheets with them) are
    skipped but keep their numbers; a quoted line break stays in one row, as a spreadsheet
    shows it. Rows with more or fewer cells than the header are warned about."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError("The file is empty")
    _allow_long_cells(len(text) + 1)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    width = 0
    rows: list[tuple[int, list[str]]] = []
    warnings: list[RowProblem] = []
    row = 0
    line = 0
    try:
        for cells in reader:
            row += 1
            spanned = reader.line_num - line
            line = reader.line_num
            if not any(cells) or "".join(cells).isspace():
                continue
            if header is None:
                header = cells
                # Excel may end the header with empty cells; data rows need not fill them.
                width = len(cells)
                while width and not cells[width - 1].strip():
                    width -= 1
                continue
            count = len(cells)
            shifted = count < width or (
                count > len(header) and "".join(cells[len(header) :]).strip()
            )
            if spanned > 1 and (shifted or _holds_rows(cells, delimiter, width)):
                raise ParseError(
                    f'Row {row}: a quote mark (") opens a cell that runs over {spanned} lines '
                    "of the file and swallows what look like rows: they would be lost. Nothing "
                    "was imported: fix the quotes on that row and retry"
                )
            if shifted:
                warnings.append(
                    RowProblem(
                        row,
                        f"the row has {count} cells but the header has {len(header)}: the "
                        "cells may have shifted, check the row",
                    )
                )
            # Every row as long as the header plus one empty cell: a column the file lacks
            # is read from that last cell (headers.picker), so no lookup needs a bounds check.
            if count != len(header):
                cells = cells[: len(header)] + [""] * (len(header) - count)
            cells.append("")
            rows.append((row, cells))
    except csv.Error as error:
        raise _quote_problem(row + 1, error) from None
    if header is None:
        raise ParseError("The file is empty")
    return Records(header, rows, warnings)
