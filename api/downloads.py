"""A table to download as CSV or XLSX: the API's and the dashboard's exports answer alike, written
by the same code as the `tracker export` commands (tracker/exports.py)."""

from __future__ import annotations

import io

from flask import Response, abort, send_file

from projections.export_sheets import Export
from tracker.exports import written

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {"csv": "text/csv", "xlsx": XLSX}
# The `<extension>` of a download's path, for the OpenAPI document (api/formats.py's form).
EXTENSION = {
    "type": "string",
    "enum": list(KINDS),
    "description": "csv (UTF-8, one header row) or xlsx (a workbook); any other is a 404",
}


def documented_file(what: str) -> dict:
    """The OpenAPI answer of a download: the file in either kind (the errors are added to every
    operation by api/openapi.py)."""
    return {
        "200": {
            "description": f"{what}, as an attachment",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


def check_extension(extension: str) -> None:
    """A 404 (the error body, or the error page) for any file but .csv or .xlsx."""
    if extension not in KINDS:
        abort(404, "an export is a .csv or an .xlsx file")


def download(export: Export, extension: str, name: str) -> Response:
    """The export as the file `name`.`extension`, to save rather than show."""
    data = written(extension, export.header, export.rows, export.more)
    return send_file(
        io.BytesIO(data),
        mimetype=KINDS[extension],
        as_attachment=True,
        download_name=f"{name}.{extension}",
    )
