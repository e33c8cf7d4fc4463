"""Improvement: AI incidents with their legal reporting clocks, internal audits and findings,
nonconformities with corrective actions, and the one actions list every area adds to
(ISO/IEC 42001 9.2, 10.1-10.2, A.3.3, A.8.4)."""
