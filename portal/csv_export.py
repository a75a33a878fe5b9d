"""CSV files that are safe to open in a spreadsheet."""

import csv
from decimal import Decimal

from django.http import HttpResponse

# A cell starting with one of these is run as a formula (or a command) by some
# spreadsheet program: the ASCII signs, their full-width forms, which some programs
# read as the same, the pipe of DDE, and the control characters that hide one.
FORMULA_PREFIXES = (
    "=",
    "+",
    "-",
    "@",
    "|",
    "\uff1d",  # full-width =
    "\uff0b",  # full-width +
    "\uff0d",  # full-width -
    "\uff20",  # full-width @
    "\t",
    "\r",
    "\n",
)


def safe_cell(value):
    """The value as text, with a leading quote if a spreadsheet would run it as a formula.

    Numbers stay numbers: a pain change of -1.5 is a value, not a formula.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(file, header, rows):
    """Write ``header`` and then ``rows`` to ``file``, each cell made safe."""
    writer = csv.writer(file)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, header, rows)
    return response
