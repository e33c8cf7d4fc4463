"""Quick self-assessment sessions: a guided gap analysis over ISO/IEC 42001 clauses 4–10 and
the Annex A objectives, pre-filled from the registers.

- ``bank.py`` — the versioned question bank (``data/question_bank_v<n>.toml``) and the 0–5 scale
- ``registers.py`` — sessions, participants, answers, frozen scores, roadmap steps; the lock
- ``sessions.py`` — start, answer (conflicts told, never lost), resume, finish, cancel
- ``suggestions.py`` — the evidence beside each question and the suggested level
- ``scoring.py`` — scores, gaps, comparison, trend, the latest results for other areas
- ``roadmap.py`` — ordered steps that become actions or risks
- ``exports.py`` — the Excel workbook and the self-contained HTML report
"""
