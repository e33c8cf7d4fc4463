"""The one risk method: likelihood x impact mapped to a level band by the stored grid."""

from __future__ import annotations

from aims_core.storage.database import Database

LEVEL_BANDS = ("Low", "Medium", "High", "Critical")
# Colour-blind-safe (Okabe-Ito derived) colours per band; text labels always accompany them.
BAND_COLOURS = {"Low": "#009E73", "Medium": "#F0E442", "High": "#E69F00", "Critical": "#D55E00"}

# Risks with their current rating (residual once assessed, else inherent) and level bands.
RATED_RISKS_SQL = """
    SELECT r.*,
           gi.level_band AS inherent_level,
           gr.level_band AS residual_level,
           coalesce(gr.level_band, gi.level_band) AS current_level,
           r.status IN ('open', 'treating') AS is_open
    FROM risks r
    LEFT JOIN risk_level_grid gi
           ON gi.likelihood = r.inherent_likelihood AND gi.impact = r.inherent_impact
    LEFT JOIN risk_level_grid gr
           ON gr.likelihood = r.residual_likelihood AND gr.impact = r.residual_impact
"""


def level_grid(db: Database) -> dict[tuple[int, int], str]:
    rows = db.query_rows("SELECT likelihood, impact, level_band FROM risk_level_grid")
    return {(lik, imp): band for lik, imp, band in rows}


def band_rank_sql(column: str) -> str:
    """SQL giving 1..4 for a level band column (0 when null)."""
    whens = " ".join(f"WHEN '{band}' THEN {i}" for i, band in enumerate(LEVEL_BANDS, 1))
    return f"(CASE {column} {whens} ELSE 0 END)"
