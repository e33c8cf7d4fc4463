"""Scheduled jobs inside the app process: daily KPI snapshot, nightly backup, reminders."""
