"""The roadmap of a finished session: ordered steps that close its gaps, and those steps
turned into actions (the one actions list) or risks, linked back to the step.

A step names the requirement it closes, a suggested owner (the subclause's owner on the
Clauses page; for an Annex A objective the person who owns most of its applicable controls
in the SoA; else the session's facilitator) and a due date: the steps, largest gap first, are
spread evenly over the chosen horizon (3, 6 or 12 months) from the day the roadmap is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.improvement import actions
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_batches
from aims_core.self_assessment import scoring
from aims_core.storage.database import Database

HORIZONS = (3, 6, 12)
SOURCE = "self_assessment_gap"
STEPS_TABLE = "self_assessment_steps"

STEPS_SQL = """
    SELECT t.*, r.kind, r.title AS requirement_title,
           (SELECT string_agg('#' || a.id || ' ' || a.status, ', ' ORDER BY a.id)
            FROM actions a WHERE a.source_table = 'self_assessment_steps'
              AND a.source_id = t.id) AS actions,
           (SELECT string_agg('#' || k.id, ', ' ORDER BY k.id)
            FROM risks k WHERE k.self_assessment_step_id = t.id) AS risks
    FROM self_assessment_steps t
    JOIN self_assessment_requirements r USING (requirement_id)
"""


def suggested_owners(db: Database, facilitator: str | None) -> dict[str, str | None]:
    """Requirement -> the person suggested to own its step."""
    clause_owners = dict(db.query_rows(
        "SELECT clause_id, owner FROM clause_status WHERE owner IS NOT NULL"))
    control_owners = dict(db.query_rows(  # the most frequent owner; a tie by name
        """SELECT objective_id, owner FROM (
               SELECT c.objective_id, s.owner, count(*) AS controls
               FROM controls c JOIN soa s USING (control_id)
               WHERE s.applicable AND s.owner IS NOT NULL GROUP BY ALL)
           QUALIFY row_number() OVER (PARTITION BY objective_id
                                      ORDER BY controls DESC, owner) = 1"""))
    return {r: clause_owners.get(r) or control_owners.get(r) or facilitator
            for r in [*clause_owners, *control_owners]}


def step_title(requirement_id: str, title: str, score: float, target: float) -> str:
    return f"Raise {requirement_id} {title} from {score:.1f} to {target:.0f}"


def due_dates(count: int, horizon_months: int, start: date) -> list[date]:
    """``count`` due dates spread evenly over the horizon, the last one at its end."""
    days = round(horizon_months * 365 / 12)
    return [start + timedelta(days=round(days * (i + 1) / count)) for i in range(count)]


def proposal(db: Database, session_id: int, horizon_months: int, start: date) -> pd.DataFrame:
    """The steps a roadmap would have: every gap of the session, largest first."""
    if horizon_months not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS} months")
    gaps = scoring.top_gaps(scoring.scores(db, session_id), limit=10_000)
    facilitator = db.scalar("SELECT facilitator FROM self_assessment_sessions WHERE id = ?",
                            [session_id])
    owners = suggested_owners(db, facilitator)
    due = due_dates(len(gaps), horizon_months, start) if len(gaps) else []
    return pd.DataFrame({
        "step_no": range(1, len(gaps) + 1),
        "requirement_id": gaps["requirement_id"],
        "title": [step_title(r, t, s, g) for r, t, s, g in
                  zip(gaps["requirement_id"], gaps["title"], gaps["score"], gaps["target"],
                      strict=True)],
        "gap": gaps["gap"],
        "owner": [owners.get(r) or facilitator for r in gaps["requirement_id"]],
        "due_on": due,
        "horizon_months": horizon_months,
    })


def build(db: Database, actor: Actor, session_id: int, horizon_months: int,
          start: date) -> WriteResult:
    """Save the proposed roadmap of a finished session (once: edit its steps afterwards)."""
    existing = db.scalar("SELECT count(*) FROM self_assessment_steps WHERE session_id = ?",
                         [session_id])
    if existing:
        return WriteResult(errors=[RowProblem("The roadmap", None, f"already has {existing} "
                                              "steps: edit or delete them in the table")])
    steps = proposal(db, session_id, horizon_months, start)
    if steps.empty:
        return WriteResult(errors=[RowProblem("The roadmap", None, "has nothing to close: "
                                              "no requirement scores below the target")])
    changes = [RowChange("insert", {"session_id": session_id, **row},
                         label=f"Step {row['step_no']}")
               for row in steps.to_dict("records")]
    return apply_batches(db, [(STEPS_TABLE, changes)], actor)


def steps(db: Database, session_id: int) -> pd.DataFrame:
    """The roadmap's steps in order, with the actions and risks raised from each."""
    return db.query_df(f"SELECT * FROM ({STEPS_SQL}) WHERE session_id = ? ORDER BY step_no",
                       [session_id])


def session_of_step(db: Database, step_id: int) -> int | None:
    return db.scalar("SELECT session_id FROM self_assessment_steps WHERE id = ?", [step_id])


def _chosen(db: Database, session_id: int, step_ids: Sequence[int]) -> pd.DataFrame:
    frame = steps(db, session_id)
    return frame[frame["id"].isin([int(i) for i in step_ids])]


def to_actions(db: Database, actor: Actor, session_id: int, step_ids: Sequence[int],
               today: date) -> WriteResult:
    """One open action per chosen step (title, owner and due date from the step), linked to
    it, in one transaction. A step that already has an action is refused by name."""
    chosen = _chosen(db, session_id, step_ids)
    taken = chosen[chosen["actions"].notna()]
    if not taken.empty:
        return WriteResult(errors=[RowProblem(f"Step {int(r.step_no)}", None,
                                              f"already has action {r.actions}")
                                   for r in taken.itertuples()])
    changes = [actions.new_action(r.title, r.owner if isinstance(r.owner, str) else None,
                                  r.due_on, SOURCE, int(r.id), created_on=today,
                                  notes=f"From self-assessment session #{session_id}, "
                                        f"roadmap step {int(r.step_no)}.",
                                  label=f"Step {int(r.step_no)}")
               for r in chosen.itertuples()]
    return apply_batches(db, [("actions", changes)], actor)


def to_risks(db: Database, actor: Actor, session_id: int, step_ids: Sequence[int],
             likelihood: int, impact: int, today: date) -> WriteResult:
    """One organisation-wide open risk per chosen step, rated ``likelihood`` × ``impact``
    by the person raising them, linked to the step, in one transaction."""
    chosen = _chosen(db, session_id, step_ids)
    taken = chosen[chosen["risks"].notna()]
    if not taken.empty:
        return WriteResult(errors=[RowProblem(f"Step {int(r.step_no)}", None,
                                              f"is already raised as risk {r.risks}")
                                   for r in taken.itertuples()])
    changes = [RowChange("insert", {
        "title": f"Gap on {r.requirement_id} {r.requirement_title} (maturity below the level "
                 "certification needs)",
        "description": f"Raised from self-assessment session #{session_id}, roadmap step "
                       f"{int(r.step_no)}: {r.title}",
        "owner": r.owner if isinstance(r.owner, str) else None,
        "inherent_likelihood": likelihood, "inherent_impact": impact,
        "treatment": "mitigate", "treatment_plan": r.title, "status": "open",
        "identified_on": today, "review_date": r.due_on,
        "self_assessment_step_id": int(r.id)}, label=f"Step {int(r.step_no)}")
        for r in chosen.itertuples()]
    return apply_batches(db, [("risks", changes)], actor)
