"""The catalogue the triage and the crosswalks read: Annex III points, Annex I law, EU AI
Act categories and dates, NIST AI RMF subcategory titles, the indicative EU AI Act map."""

from __future__ import annotations

from datetime import date

from aims_core.compliance import soa
from aims_core.inventory import triage_questionnaire as q
from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES
from aims_core.storage.database import Database
from tests.conftest import TODAY


def test_annex_iii_has_8_areas_and_25_use_cases_plus_its_stated_exclusions(db: Database) -> None:
    points = db.query_df("SELECT * FROM eu_annex_iii_points")
    listed = points[~points["excluded"]]
    assert len(listed) == 25
    assert listed.groupby("area_no").size().to_dict() == {1: 3, 2: 1, 3: 4, 4: 2, 5: 4, 6: 5,
                                                          7: 4, 8: 2}
    assert set(points.loc[points["excluded"], "point_id"]) == {
        "1(a)-verification", "5(b)-fraud", "7(d)-travel-documents", "8(b)-not-exposed"}
    assert set(points["area_no"]) == {r[0] for r in db.query_rows(
        "SELECT area_no FROM eu_annex_iii_areas")}
    assert set(q.ANNEX_III_POINTS) == set(points["point_id"])


def test_annex_i_lists_12_section_a_and_7_section_b_acts(db: Database) -> None:
    sections = dict(db.query_rows("SELECT section, count(*) FROM eu_annex_i_legislation "
                                  "GROUP BY section"))
    assert sections == {"A": 12, "B": 7}
    assert db.scalar("SELECT legislation FROM eu_annex_i_legislation "
                     "WHERE sector_id = 'medical_devices'") == "Regulation (EU) 2017/745"


def test_every_category_the_triage_gives_is_in_the_catalogue(db: Database) -> None:
    catalogue = {r[0] for r in db.query_rows("SELECT category_id FROM eu_ai_act_categories")}
    assert catalogue == set(EU_AI_ACT_CATEGORIES) - {"not_assessed"}


def test_the_triage_dates_are_the_catalogues_dates(db: Database) -> None:
    dates = {r[0] for r in db.query_rows("SELECT applies_from FROM eu_ai_act_dates")}
    assert {q.D_PROHIBITIONS, q.D_OMNIBUS_PROHIBITIONS, q.D_GPAI, q.D_GPAI_LEGACY, q.D_ART50,
            q.D_ART50_2_GRACE, q.D_ANNEX_III, q.D_ANNEX_I} <= dates
    annex_iii, annex_i, art50 = q.D_ANNEX_III, q.D_ANNEX_I, q.D_ART50
    assert annex_iii == date(2027, 12, 2) and annex_i == date(2028, 8, 2)
    assert art50 == date(2026, 8, 2)


def test_nist_subcategories_have_short_titles_for_every_crosswalk_entry(db: Database) -> None:
    assert db.scalar("SELECT count(*) FROM nist_subcategories") == 72
    per_category = db.query_rows(
        "SELECT c.category_id, c.subcategory_count, count(s.subcategory_id) FROM "
        "nist_categories c LEFT JOIN nist_subcategories s USING (category_id) GROUP BY ALL")
    assert all(expected == found for _, expected, found in per_category)
    assert db.scalar("SELECT count(*) FROM crosswalk_nist x LEFT JOIN nist_subcategories s "
                     "ON s.subcategory_id = x.nist_subcategory WHERE s.title IS NULL") == 0
    assert db.scalar("SELECT max(length(title)) FROM nist_subcategories") <= 70
    assert db.scalar("SELECT title FROM nist_subcategories WHERE subcategory_id = "
                     "'GOVERN 1.6'") == "Inventory of AI systems"


def test_the_soa_shows_nist_titles_beside_their_ids(demo_db: Database) -> None:
    table = soa.soa_table(demo_db, TODAY).set_index("control_id")
    assert "GOVERN 1.6 Inventory of AI systems" in table.loc["A.4.2", "nist"]
    _, nist = soa.crosswalk_choices(demo_db)
    assert nist["MANAGE 3.2"] == "MANAGE 3.2 Pre-trained models monitored"


def test_the_indicative_eu_map_has_the_articles_controls_plainly_speak_to(db: Database) -> None:
    pairs = set(db.query_rows("SELECT eu_article, iso_id FROM crosswalk_eu_ai_act"))
    assert {("Art. 5", "A.5.2"), ("Art. 5", "A.9.4"), ("Art. 18", "A.6.2.7"),
            ("Art. 19", "A.6.2.8"), ("Art. 20", "10.2"), ("Art. 26", "A.9.2"),
            ("Art. 26", "A.6.2.8"), ("Art. 53", "A.6.2.7"), ("Art. 55", "A.6.2.4"),
            ("Art. 86", "A.8.2")} <= pairs
    assert db.scalar("SELECT bool_and(indicative) FROM crosswalk_eu_ai_act")
    assert db.scalar("SELECT count(*) FROM crosswalk_eu_ai_act c LEFT JOIN controls k "
                     "ON k.control_id = c.iso_id LEFT JOIN clauses l ON l.clause_id = c.iso_id "
                     "WHERE k.control_id IS NULL AND l.clause_id IS NULL") == 0
