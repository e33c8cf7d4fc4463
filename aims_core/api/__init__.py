"""The HTTP API under ``/api/v1``: token-authenticated reads, KPI values, snapshots, backups."""
