"""Spreadsheet import of any register: column and value mapping, dry run, one transaction."""
