"""Remembered spreadsheet layouts: a register, the file's headers and how they were mapped."""

from __future__ import annotations

from aims_core.records.fields import Field, Register, person_field

IMPORT_LAYOUTS = Register(
    table="import_layouts",
    label="Import layout",
    title_field="layout_key",
    unique_together=("register", "layout_key"),
    owner_field="saved_by",
    importable=False,
    fields=(
        Field("register", "Register", required=True, max_length=100, editable=False),
        Field("layout_key", "Layout", required=True, max_length=64, editable=False,
              help="A digest of the file's normalised headers"),
        Field("headers_json", "Headers", required=True, max_length=100_000),
        Field("column_map_json", "Column mapping", required=True, max_length=100_000),
        Field("value_map_json", "Value mapping", required=True, max_length=100_000),
        person_field("saved_by", "Saved by", required=True),
        Field("saved_on", "Saved on", "date", required=True),
    ),
)
