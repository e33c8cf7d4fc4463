"""Legal reporting clocks of incidents: each deadline kind, who reports, whether the duty
already applies, stopping by a reported-on date, and overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from aims_core.dashboard.schedule import page
from aims_core.improvement import legal_clocks
from aims_core.inventory import triage
from aims_core.storage.database import Database
from tests.conftest import TODAY
from tests.improvement_kit import (
    DEPLOYER_HIGH_RISK,
    NOT_HIGH_RISK,
    PROVIDER_HIGH_RISK,
    add_triage,
    incident,
    system,
    update,
)


def _reporting(db: Database, incident_id: int) -> legal_clocks.Reporting:
    return legal_clocks.reporting(db, [incident_id])[incident_id]


def _duty_date(answers: dict, basis: str) -> date:
    """When the triage says the incident duty applies (read from the triage itself)."""
    return min(o.applies_from for o in triage.triage(answers).obligations
               if basis in o.legal_basis)


def test_the_high_risk_incident_duties_apply_from_the_amended_annex_iii_date() -> None:
    assert _duty_date(PROVIDER_HIGH_RISK, "73") == date(2027, 12, 2)
    assert _duty_date(DEPLOYER_HIGH_RISK, "Art. 26") == date(2027, 12, 2)


@pytest.mark.parametrize(("kind", "days"), [("serious", 15), ("death", 10), ("widespread", 2)])
def test_a_provider_reports_to_the_authority_within_the_days_its_kind_allows(
        db: Database, kind: str, days: int) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    aware = date(2026, 11, 20)
    incident_id = incident(db, system_id, detected_on=aware, serious_incident=kind)
    (clock,) = _reporting(db, incident_id).clocks
    assert (clock.law, clock.deadline) == ("EU AI Act Art. 73", aware + timedelta(days=days))
    assert "market surveillance authority" in clock.duty
    assert clock.state(aware + timedelta(days=days)) == "running"
    assert clock.state(aware + timedelta(days=days + 1)) == "overdue"


def test_a_deployer_informs_the_provider_immediately(db: Database) -> None:
    system_id = system(db, DEPLOYER_HIGH_RISK)
    incident_id = incident(db, system_id, detected_on=TODAY, serious_incident="death")
    (clock,) = _reporting(db, incident_id).clocks
    assert clock.law == "EU AI Act Art. 26(5)" and "inform the provider" in clock.duty
    assert clock.deadline == TODAY + timedelta(days=1)


def test_whether_the_duty_applies_depends_on_the_day_of_awareness(db: Database) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    starts = _duty_date(PROVIDER_HIGH_RISK, "73")
    before = incident(db, system_id, detected_on=starts - timedelta(days=1),
                      serious_incident="serious")
    on = incident(db, system_id, detected_on=starts, serious_incident="serious")
    (early,) = _reporting(db, before).clocks
    (binding,) = _reporting(db, on).clocks
    assert not early.in_force and "not yet binding" in early.reason()
    assert f"{starts:%-d %b %Y}" in early.reason()
    assert binding.in_force and f"In force since {starts:%-d %b %Y}" in binding.reason()


def test_a_gdpr_breach_has_72_hours_and_organisation_wide_incidents_count_too(
        db: Database) -> None:
    incident_id = incident(db, None, detected_on=TODAY, personal_data_breach=True,
                           harm_type="privacy")
    (clock,) = _reporting(db, incident_id).clocks
    assert (clock.law, clock.deadline, clock.in_force) == ("GDPR Art. 33",
                                                           TODAY + timedelta(days=3), True)
    assert "72 hours" in clock.reason() and f"{TODAY + timedelta(days=3):%-d %b %Y}" in \
        clock.reason()


def test_a_serious_breach_on_a_high_risk_system_runs_both_clocks(db: Database) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    incident_id = incident(db, system_id, serious_incident="serious",
                           personal_data_breach=True)
    laws = [c.law for c in _reporting(db, incident_id).clocks]
    assert laws == ["EU AI Act Art. 73", "GDPR Art. 33"]
    running = legal_clocks.running(db, TODAY)
    assert sorted(running["due_on"].dt.date) == [TODAY + timedelta(days=3),
                                                 TODAY + timedelta(days=15)]


def test_a_reported_on_date_stops_the_clock(db: Database) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    incident_id = incident(db, system_id, detected_on=TODAY - timedelta(days=20),
                           serious_incident="serious")
    assert legal_clocks.running(db, TODAY)["overdue"].tolist() == [True]
    assert update(db, "incidents", incident_id,
                  ai_act_reported_on=TODAY - timedelta(days=10)).ok
    (clock,) = _reporting(db, incident_id).clocks
    assert clock.state(TODAY) == "reported on time"
    assert legal_clocks.running(db, TODAY).empty
    assert update(db, "incidents", incident_id, ai_act_reported_on=TODAY).ok
    (clock,) = _reporting(db, incident_id).clocks
    assert clock.state(TODAY) == "reported late"


def test_no_art_73_clock_without_high_risk_or_serious(db: Database) -> None:
    chatbot = system(db, NOT_HIGH_RISK, name="Chatbot")
    serious = incident(db, chatbot, serious_incident="serious")
    report = _reporting(db, serious)
    assert report.clocks == () and "not high-risk" in report.notes[0]
    scorer = system(db, PROVIDER_HIGH_RISK, name="Scorer")
    assert _reporting(db, incident(db, scorer, serious_incident="not_serious")).clocks == ()
    undecided = _reporting(db, incident(db, scorer))
    assert undecided.clocks == () and "decide whether this is a serious incident" in \
        undecided.notes[0]
    untriaged = system(db, None, name="Untriaged")
    note = _reporting(db, incident(db, untriaged, serious_incident="serious")).notes[0]
    assert "No EU AI Act triage is recorded" in note
    assert legal_clocks.running(db, TODAY).empty


def test_the_latest_triage_decides(db: Database) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    incident_id = incident(db, system_id, serious_incident="serious")
    assert len(_reporting(db, incident_id).clocks) == 1
    add_triage(db, system_id, NOT_HIGH_RISK, assessed_on=date(2026, 6, 1))
    assert _reporting(db, incident_id).clocks == ()


def test_the_schedule_lists_running_clocks_with_the_incident_owner(db: Database) -> None:
    system_id = system(db, PROVIDER_HIGH_RISK)
    incident_id = incident(db, system_id, detected_on=TODAY - timedelta(days=16),
                           serious_incident="serious", title="Declines doubled")
    items = page(db, TODAY, limit=None)
    report = items[items["kind"] == "Incident report"].iloc[0]
    assert (report["item"], report["owner"], report["due_on"], bool(report["overdue"]),
            report["link"]) == (f"#{incident_id} Declines doubled", "Ben",
                                TODAY - timedelta(days=1), True,
                                f"incidents?incident={incident_id}")
    assert report["reason"].startswith("EU AI Act Art. 73: report the serious incident")
