"""The database schema as an ordered list of migrations.

A file records the migrations applied to it in ``schema_migrations``. Table and column
names are part of the product (users query the file with SQL): add, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    # Added once the statements are committed (DuckDB checks a new constraint against
    # committed data only); the statements must then be safe to run again.
    constraints: tuple[str, ...] = ()


_V1_CORE = (
    """CREATE TABLE schema_migrations (
        version INTEGER PRIMARY KEY,
        description VARCHAR NOT NULL,
        applied_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE aims_meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR
    )""",
    # --- read-only reference catalogue (loaded from aims_core/catalogue/data) ---
    """CREATE TABLE clauses (
        clause_id VARCHAR PRIMARY KEY, parent_id VARCHAR, title VARCHAR NOT NULL,
        is_leaf BOOLEAN NOT NULL, sort_order INTEGER NOT NULL, summary VARCHAR
    )""",
    """CREATE TABLE control_objectives (
        objective_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, summary VARCHAR,
        control_count INTEGER NOT NULL, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE controls (
        control_id VARCHAR PRIMARY KEY, objective_id VARCHAR NOT NULL,
        sub_objective_id VARCHAR, sub_objective_title VARCHAR, title VARCHAR NOT NULL,
        title_alias VARCHAR, summary VARCHAR, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE annex_c_objectives (
        objective_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, summary VARCHAR
    )""",
    """CREATE TABLE annex_c_risk_sources (
        source_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, summary VARCHAR
    )""",
    """CREATE TABLE eu_ai_act_categories (
        category_id VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, legal_basis VARCHAR,
        consequence VARCHAR, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE eu_annex_iii_areas (
        area_no INTEGER PRIMARY KEY, title VARCHAR NOT NULL, sub_points VARCHAR
    )""",
    """CREATE TABLE eu_ai_act_dates (
        applies_from DATE NOT NULL, item VARCHAR NOT NULL, legal_basis VARCHAR, note VARCHAR
    )""",
    """CREATE TABLE nist_functions (
        function_id VARCHAR PRIMARY KEY, abbreviation VARCHAR NOT NULL, purpose VARCHAR,
        sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE nist_categories (
        category_id VARCHAR PRIMARY KEY, function_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
        subcategory_count INTEGER NOT NULL, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE crosswalk_nist (
        iso_id VARCHAR NOT NULL, iso_kind VARCHAR NOT NULL, nist_subcategory VARCHAR NOT NULL,
        source_note VARCHAR
    )""",
    """CREATE TABLE crosswalk_eu_ai_act (
        eu_article VARCHAR NOT NULL, article_title VARCHAR, iso_id VARCHAR NOT NULL,
        iso_kind VARCHAR NOT NULL, coverage_note VARCHAR, indicative BOOLEAN NOT NULL
    )""",
    # --- the organisation's registers (every row: id + version for optimistic locking) ---
    """CREATE TABLE organisation (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, scope_statement VARCHAR,
        ai_roles VARCHAR, interested_parties VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE ai_systems (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, purpose VARCHAR, owner VARCHAR,
        department VARCHAR, sourcing VARCHAR, supplier_id BIGINT, lifecycle_stage VARCHAR,
        model_version VARCHAR, eu_ai_act_category VARCHAR, annex_iii_area INTEGER,
        personal_data BOOLEAN, automated_decisions BOOLEAN, human_oversight VARCHAR,
        affected_people VARCHAR, created_on DATE, retired_on DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE risks (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT, title VARCHAR NOT NULL, description VARCHAR,
        risk_source VARCHAR, objective_affected VARCHAR, owner VARCHAR,
        inherent_likelihood INTEGER, inherent_impact INTEGER,
        residual_likelihood INTEGER, residual_impact INTEGER,
        treatment VARCHAR, treatment_plan VARCHAR, status VARCHAR, identified_on DATE,
        review_date DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE risk_controls (
        id BIGINT PRIMARY KEY, risk_id BIGINT NOT NULL, control_id VARCHAR NOT NULL,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE soa (
        id BIGINT PRIMARY KEY, control_id VARCHAR NOT NULL UNIQUE, applicable BOOLEAN,
        justification VARCHAR, implementation_status VARCHAR, owner VARCHAR, evidence VARCHAR,
        evidence_expiry DATE, last_reviewed DATE, target_date DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE kpis (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR, unit VARCHAR,
        direction VARCHAR, target DOUBLE, amber_threshold DOUBLE, red_threshold DOUBLE,
        frequency VARCHAR, owner VARCHAR, ai_system_id BIGINT, control_id VARCHAR,
        kind VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE kpi_measurements (
        id BIGINT PRIMARY KEY, kpi_id BIGINT NOT NULL, measured_on DATE NOT NULL,
        value DOUBLE NOT NULL, source VARCHAR, note VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE validations (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT NOT NULL, validated_on DATE NOT NULL,
        validated_by VARCHAR, method VARCHAR, result VARCHAR, notes VARCHAR,
        evidence_link VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE management_reviews (
        id BIGINT PRIMARY KEY, review_date DATE NOT NULL, chair VARCHAR, attendees VARCHAR,
        notes VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE change_log (
        id BIGINT PRIMARY KEY, table_name VARCHAR NOT NULL, row_id BIGINT NOT NULL,
        operation VARCHAR NOT NULL, changed_by VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL,
        before_json VARCHAR, after_json VARCHAR
    )""",
)

_V2_RISK_METHOD = (
    """CREATE TABLE risk_scale (
        axis VARCHAR NOT NULL, level INTEGER NOT NULL, label VARCHAR NOT NULL,
        PRIMARY KEY (axis, level)
    )""",
    """CREATE TABLE risk_level_grid (
        likelihood INTEGER NOT NULL, impact INTEGER NOT NULL, level_band VARCHAR NOT NULL,
        PRIMARY KEY (likelihood, impact)
    )""",
    """CREATE TABLE revalidation_intervals (
        id BIGINT PRIMARY KEY, risk_tier VARCHAR NOT NULL UNIQUE, months INTEGER NOT NULL,
        description VARCHAR, version INTEGER NOT NULL
    )""",
    """INSERT INTO risk_scale VALUES
        ('likelihood', 1, 'Rare'), ('likelihood', 2, 'Unlikely'), ('likelihood', 3, 'Possible'),
        ('likelihood', 4, 'Likely'), ('likelihood', 5, 'Almost certain'),
        ('impact', 1, 'Negligible'), ('impact', 2, 'Minor'), ('impact', 3, 'Moderate'),
        ('impact', 4, 'Major'), ('impact', 5, 'Catastrophic')""",
    # Default 5 x 5 band grid (rows: likelihood 1..5, columns: impact 1..5).
    """INSERT INTO risk_level_grid
        SELECT l, i, ['Low','Low','Low','Medium','Medium',
                      'Low','Low','Medium','Medium','High',
                      'Low','Medium','Medium','High','High',
                      'Medium','Medium','High','High','Critical',
                      'Medium','High','High','Critical','Critical'][(l - 1) * 5 + i]
        FROM range(1, 6) AS a(l), range(1, 6) AS b(i)""",
    """INSERT INTO revalidation_intervals VALUES
        (1, 'eu_high_risk', 6, 'EU AI Act high-risk systems', 1),
        (2, 'critical', 6, 'Worst open risk Critical', 1),
        (3, 'high', 12, 'Worst open risk High', 1),
        (4, 'medium', 12, 'Worst open risk Medium', 1),
        (5, 'low', 24, 'Worst open risk Low, or no open risk', 1)""",
    """INSERT INTO aims_meta VALUES ('risk_tolerance', 'Medium')""",
)

_V3_INVENTORY = (
    """CREATE TABLE suppliers (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, provides VARCHAR, owner VARCHAR,
        contract_ai_clauses BOOLEAN, contract_notes VARCHAR, last_due_diligence DATE,
        next_review DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE ai_data_sources (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT NOT NULL, name VARCHAR NOT NULL,
        provenance VARCHAR, personal_data BOOLEAN, quality_checks VARCHAR,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE triage_assessments (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT NOT NULL, assessed_on DATE NOT NULL,
        assessed_by VARCHAR NOT NULL, answers_json VARCHAR NOT NULL, category VARCHAR NOT NULL,
        annex_iii_area INTEGER, reasoning VARCHAR NOT NULL, version INTEGER NOT NULL
    )""",
)

_V4_RISK_TREATMENT = (
    """CREATE TABLE risk_acceptances (
        id BIGINT PRIMARY KEY, risk_id BIGINT NOT NULL, approved_by VARCHAR NOT NULL,
        approved_on DATE NOT NULL, justification VARCHAR NOT NULL, expires_on DATE NOT NULL,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE impact_assessments (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT NOT NULL, intended_use VARCHAR NOT NULL,
        foreseeable_misuse VARCHAR, affected_individuals VARCHAR, affected_groups VARCHAR,
        societal_impact VARCHAR, reviewer VARCHAR NOT NULL, assessed_on DATE NOT NULL,
        next_review DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE impacts (
        id BIGINT PRIMARY KEY, impact_assessment_id BIGINT NOT NULL, affected VARCHAR NOT NULL,
        description VARCHAR NOT NULL, severity INTEGER NOT NULL, likelihood INTEGER NOT NULL,
        mitigation VARCHAR, version INTEGER NOT NULL
    )""",
    """ALTER TABLE risks ADD COLUMN impact_id BIGINT""",
    """INSERT INTO aims_meta VALUES ('risk_method_version', '1')""",
)

_V5_SOA = (
    # An approved SoA: its number, approver and date; the rows as approved are its items.
    """CREATE TABLE soa_versions (
        id BIGINT PRIMARY KEY, version_no INTEGER NOT NULL UNIQUE, approved_by VARCHAR NOT NULL,
        approved_on DATE NOT NULL, note VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE soa_version_items (
        id BIGINT PRIMARY KEY, version_no INTEGER NOT NULL, control_id VARCHAR NOT NULL,
        applicable BOOLEAN, justification VARCHAR, implementation_status VARCHAR,
        owner VARCHAR, evidence VARCHAR, evidence_expiry DATE, last_reviewed DATE,
        target_date DATE, version INTEGER NOT NULL, UNIQUE (version_no, control_id)
    )""",
    """CREATE TABLE clause_status (
        id BIGINT PRIMARY KEY, clause_id VARCHAR NOT NULL UNIQUE, status VARCHAR NOT NULL,
        owner VARCHAR, evidence VARCHAR, notes VARCHAR, last_reviewed DATE,
        version INTEGER NOT NULL
    )""",
)

_V6_OBJECTIVES_KPIS = (
    """CREATE TABLE objectives (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, description VARCHAR, owner VARCHAR,
        target_date DATE, status VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE objective_kpis (
        id BIGINT PRIMARY KEY, objective_id BIGINT NOT NULL, kpi_id BIGINT NOT NULL,
        version INTEGER NOT NULL, UNIQUE (objective_id, kpi_id)
    )""",
    # Which register figure a computed KPI's snapshot records (see aims_core/kpis.py).
    "ALTER TABLE kpis ADD COLUMN code VARCHAR",
    # One value per KPI per day. A table constraint (not CREATE INDEX, which would block
    # later ALTERs of the table), so the table is rebuilt; earlier duplicates keep the
    # latest entry and the dropped ones are logged as deletions.
    """INSERT INTO change_log
        SELECT (SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY m.id),
               'kpi_measurements', m.id, 'delete', 'schema migration 6',
               date_trunc('second', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)),
               CAST(to_json(m) AS VARCHAR), NULL
        FROM kpi_measurements m
        WHERE m.id NOT IN (SELECT max(id) FROM kpi_measurements GROUP BY kpi_id, measured_on)""",
    """CREATE TABLE kpi_measurements_v6 (
        id BIGINT PRIMARY KEY, kpi_id BIGINT NOT NULL, measured_on DATE NOT NULL,
        value DOUBLE NOT NULL, source VARCHAR, note VARCHAR, version INTEGER NOT NULL,
        UNIQUE (kpi_id, measured_on)
    )""",
    """INSERT INTO kpi_measurements_v6 SELECT * FROM kpi_measurements
        WHERE id IN (SELECT max(id) FROM kpi_measurements GROUP BY kpi_id, measured_on)""",
    "DROP TABLE kpi_measurements",
    "ALTER TABLE kpi_measurements_v6 RENAME TO kpi_measurements",
)

_V7_IMPROVEMENT = (
    # AI incidents (A.8.4, A.3.3) with the dates their legal reporting clocks count from.
    """CREATE TABLE incidents (
        id BIGINT PRIMARY KEY, ai_system_id BIGINT, title VARCHAR NOT NULL,
        occurred_on DATE, detected_on DATE NOT NULL, reported_by VARCHAR,
        owner VARCHAR NOT NULL, severity VARCHAR NOT NULL, harm_type VARCHAR NOT NULL,
        people_affected INTEGER, description VARCHAR, immediate_action VARCHAR,
        root_cause VARCHAR, status VARCHAR NOT NULL, closed_on DATE, lessons_learned VARCHAR,
        serious_incident VARCHAR, personal_data_breach BOOLEAN, ai_act_reported_on DATE,
        gdpr_reported_on DATE, version INTEGER NOT NULL
    )""",
    # The internal audit programme (9.2): one row per audit, from plan to conclusion.
    """CREATE TABLE audits (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, planned_on DATE NOT NULL,
        lead_auditor VARCHAR NOT NULL, status VARCHAR NOT NULL, held_on DATE, auditee VARCHAR,
        auditors VARCHAR, scope_covered VARCHAR, conclusion VARCHAR, version INTEGER NOT NULL
    )""",
    # What an audit covers: one clause, Annex A objective or AI system per row.
    """CREATE TABLE audit_scope_items (
        id BIGINT PRIMARY KEY, audit_id BIGINT NOT NULL, clause_id VARCHAR,
        objective_id VARCHAR, ai_system_id BIGINT, version INTEGER NOT NULL
    )""",
    """CREATE TABLE audit_findings (
        id BIGINT PRIMARY KEY, audit_id BIGINT NOT NULL, finding_type VARCHAR NOT NULL,
        requirement_id VARCHAR, ai_system_id BIGINT, description VARCHAR NOT NULL,
        evidence VARCHAR, version INTEGER NOT NULL
    )""",
    # Nonconformities (10.2); source_table + source_id link the record they come from.
    """CREATE TABLE nonconformities (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, grade VARCHAR NOT NULL,
        source VARCHAR NOT NULL, source_table VARCHAR, source_id BIGINT,
        requirement_id VARCHAR, ai_system_id BIGINT, description VARCHAR,
        owner VARCHAR NOT NULL, raised_on DATE NOT NULL, correction VARCHAR,
        root_cause VARCHAR, status VARCHAR NOT NULL, effectiveness_due DATE,
        effectiveness_checked_on DATE, effectiveness_result VARCHAR,
        effectiveness_notes VARCHAR, closed_on DATE, version INTEGER NOT NULL
    )""",
    # The one actions list: every area's actions, each linked to the record it comes from.
    """CREATE TABLE actions (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, owner VARCHAR NOT NULL,
        due_on DATE NOT NULL, status VARCHAR NOT NULL, done_on DATE, source VARCHAR NOT NULL,
        source_table VARCHAR, source_id BIGINT, created_on DATE NOT NULL, notes VARCHAR,
        version INTEGER NOT NULL
    )""",
)

# Words a profile's free-text AI roles (schema 1-7) may hold, and the role code each means.
_LEGACY_ROLE_WORDS = """(VALUES ('developer', 'developer', 1), ('producer', 'developer', 1),
        ('ai producer', 'developer', 1), ('ai developer', 'developer', 1),
        ('provider', 'provider', 2), ('ai provider', 'provider', 2),
        ('deployer', 'deployer', 3), ('user', 'deployer', 3), ('ai user', 'deployer', 3),
        ('importer', 'importer', 4), ('distributor', 'distributor', 5),
        ('customer', 'customer', 6), ('ai customer', 'customer', 6),
        ('data provider', 'data_provider', 7)) AS w(word, code, rank)"""
_MIGRATION_8_AUTHOR = "'schema migration 8'"
_NOW_UTC = "date_trunc('second', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))"

_V8_CONTEXT_POLICY_PEOPLE = (
    # --- the organisation profile grows: who it is, where it works, the AIMS scope (4.3) ---
    "ALTER TABLE organisation ADD COLUMN sector VARCHAR",
    "ALTER TABLE organisation ADD COLUMN size_band VARCHAR",
    "ALTER TABLE organisation ADD COLUMN countries VARCHAR",
    "ALTER TABLE organisation ADD COLUMN established_in_eu BOOLEAN",
    "ALTER TABLE organisation ADD COLUMN eu_market BOOLEAN",
    "ALTER TABLE organisation ADD COLUMN in_scope VARCHAR",
    "ALTER TABLE organisation ADD COLUMN out_of_scope VARCHAR",
    "ALTER TABLE organisation ADD COLUMN exclusion_reasons VARCHAR",
    "ALTER TABLE organisation ADD COLUMN scope_reviewed_on DATE",
    "ALTER TABLE organisation ADD COLUMN next_review DATE",
    # AI roles become codes. Free text whose every word is a known role is rewritten as
    # codes (logged); any other text is left as typed, and the profile page asks for the
    # roles to be picked again.
    f"""CREATE TEMP TABLE migrated_roles AS
        WITH words AS (
            SELECT o.id, trim(p.word) AS word
            FROM organisation o,
                 unnest(string_split(regexp_replace(lower(o.ai_roles), '[;/&]| and ', ',', 'g'),
                                     ',')) AS p(word)
            WHERE trim(p.word) <> ''
        ), mapped AS (SELECT words.id, w.code, w.rank FROM words LEFT JOIN {_LEGACY_ROLE_WORDS}
                      USING (word))
        SELECT id, string_agg(code, ', ' ORDER BY rank) AS codes
        FROM (SELECT id, code, min(rank) AS rank FROM mapped GROUP BY ALL)
        GROUP BY id HAVING count(*) = count(code)""",
    f"""INSERT INTO change_log
        SELECT (SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY o.id),
               'organisation', o.id, 'update', {_MIGRATION_8_AUTHOR}, {_NOW_UTC},
               CAST(to_json(o) AS VARCHAR),
               CAST(json_merge_patch(to_json(o), json_object('ai_roles', m.codes,
                                                             'version', o.version + 1))
                    AS VARCHAR)
        FROM organisation o JOIN migrated_roles m USING (id)
        WHERE o.ai_roles IS DISTINCT FROM m.codes""",
    """UPDATE organisation SET ai_roles = m.codes, version = organisation.version + 1
        FROM migrated_roles m WHERE organisation.id = m.id
          AND organisation.ai_roles IS DISTINCT FROM m.codes""",
    "DROP TABLE migrated_roles",
    # --- context (4.1, 4.2) and opportunities (6.1.1) ---
    """CREATE TABLE context_issues (
        id BIGINT PRIMARY KEY, issue_type VARCHAR NOT NULL, topic VARCHAR,
        description VARCHAR NOT NULL, effect_on_aims VARCHAR, source VARCHAR, owner VARCHAR,
        last_reviewed DATE, next_review DATE, closed_on DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE interested_parties (
        id BIGINT PRIMARY KEY, party VARCHAR NOT NULL, party_type VARCHAR,
        needs VARCHAR NOT NULL, addressed BOOLEAN, response VARCHAR, owner VARCHAR,
        last_reviewed DATE, next_review DATE, closed_on DATE, version INTEGER NOT NULL
    )""",
    # The profile's free-text note on interested parties (schema 1-7) becomes one register
    # row, word for word, to be split into parties by whoever wrote it.
    """INSERT INTO interested_parties (id, party, needs, version)
        SELECT row_number() OVER (ORDER BY id),
               'Interested parties (from the earlier profile note)', interested_parties, 1
        FROM organisation WHERE nullif(trim(interested_parties), '') IS NOT NULL""",
    f"""INSERT INTO change_log
        SELECT (SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY p.id),
               'interested_parties', p.id, 'insert', {_MIGRATION_8_AUTHOR}, {_NOW_UTC}, NULL,
               CAST(to_json(p) AS VARCHAR)
        FROM interested_parties p""",
    """CREATE TABLE opportunities (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, description VARCHAR, benefit VARCHAR,
        ai_system_id BIGINT, owner VARCHAR, status VARCHAR NOT NULL, last_reviewed DATE,
        next_review DATE, version INTEGER NOT NULL
    )""",
    # --- documented information (7.5): documents, their earlier versions, what they evidence
    """CREATE TABLE documents (
        id BIGINT PRIMARY KEY, reference VARCHAR, title VARCHAR NOT NULL,
        doc_type VARCHAR NOT NULL, doc_version VARCHAR NOT NULL, owner VARCHAR,
        status VARCHAR NOT NULL, approved_by VARCHAR, approved_on DATE, next_review DATE,
        location VARCHAR, change_note VARCHAR, policy_checks VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE document_versions (
        id BIGINT PRIMARY KEY, document_id BIGINT NOT NULL, reference VARCHAR,
        title VARCHAR NOT NULL, doc_type VARCHAR NOT NULL, doc_version VARCHAR NOT NULL,
        owner VARCHAR, status VARCHAR NOT NULL, approved_by VARCHAR, approved_on DATE,
        next_review DATE, location VARCHAR, change_note VARCHAR, policy_checks VARCHAR,
        superseded_on DATE NOT NULL, version INTEGER NOT NULL, UNIQUE (document_id, doc_version)
    )""",
    """CREATE TABLE document_links (
        id BIGINT PRIMARY KEY, document_id BIGINT NOT NULL, clause_id VARCHAR,
        control_id VARCHAR, ai_system_id BIGINT, version INTEGER NOT NULL
    )""",
    "ALTER TABLE soa ADD COLUMN evidence_document_id BIGINT",
    "ALTER TABLE soa_version_items ADD COLUMN evidence_document_id BIGINT",
    "ALTER TABLE clause_status ADD COLUMN evidence_document_id BIGINT",
    # --- roles (5.3, A.3.2), competences and training (7.2, 7.3, A.4.6) ---
    """CREATE TABLE aims_roles (
        id BIGINT PRIMARY KEY, role VARCHAR NOT NULL, responsibilities VARCHAR,
        holder VARCHAR NOT NULL, deputy VARCHAR, ai_system_id BIGINT, works_with_ai BOOLEAN,
        assigned_on DATE, ended_on DATE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE competences (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, kind VARCHAR NOT NULL,
        validity_months INTEGER, provider VARCHAR, description VARCHAR,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE role_competences (
        id BIGINT PRIMARY KEY, role_id BIGINT NOT NULL, competence_id BIGINT NOT NULL,
        version INTEGER NOT NULL, UNIQUE (role_id, competence_id)
    )""",
    """CREATE TABLE training_records (
        id BIGINT PRIMARY KEY, person VARCHAR NOT NULL, competence_id BIGINT NOT NULL,
        completed_on DATE NOT NULL, evidence_link VARCHAR, notes VARCHAR,
        version INTEGER NOT NULL
    )""",
)

_V9_PEOPLE_AND_SIGN_IN = (
    # Everyone a person field can name; app role and sign-in method for team mode.
    """CREATE TABLE people (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, email VARCHAR, active BOOLEAN NOT NULL,
        role VARCHAR NOT NULL, sign_in VARCHAR NOT NULL, version INTEGER NOT NULL
    )""",
    # What person fields accept (aims_core.records.fields.PEOPLE_REF).
    "CREATE VIEW active_people AS SELECT * FROM people WHERE active",
    # Local accounts: an argon2id hash of the password, never the password.
    """CREATE TABLE local_accounts (
        person_id BIGINT PRIMARY KEY, password_hash VARCHAR NOT NULL,
        password_set_at TIMESTAMP NOT NULL, version INTEGER NOT NULL
    )""",
    # Sign-ins, refused sign-ins and writes, CLI admin runs, people merged from free text.
    """CREATE TABLE audit_events (
        id BIGINT PRIMARY KEY, occurred_at TIMESTAMP NOT NULL, event VARCHAR NOT NULL,
        actor VARCHAR, channel VARCHAR, person_id BIGINT, login VARCHAR, table_name VARCHAR,
        row_id BIGINT, detail VARCHAR
    )""",
)

RECHECK_EARLIER_QUESTIONNAIRE = "Made with the earlier questionnaire — re-check"

_V10_TRIAGE = (
    # Catalogue: the Annex III points, the Annex I product law, NIST subcategory titles.
    """CREATE TABLE eu_annex_iii_points (
        point_id VARCHAR PRIMARY KEY, area_no INTEGER NOT NULL, title VARCHAR NOT NULL,
        excluded BOOLEAN NOT NULL, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE eu_annex_i_legislation (
        sector_id VARCHAR PRIMARY KEY, section VARCHAR NOT NULL, title VARCHAR NOT NULL,
        legislation VARCHAR, sort_order INTEGER NOT NULL
    )""",
    """CREATE TABLE nist_subcategories (
        subcategory_id VARCHAR PRIMARY KEY, category_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
        statement VARCHAR, sort_order INTEGER NOT NULL
    )""",
    "ALTER TABLE ai_systems ADD COLUMN annex_iii_point VARCHAR",
    "ALTER TABLE triage_assessments ADD COLUMN questionnaire_version INTEGER",
    "ALTER TABLE triage_assessments ADD COLUMN roles VARCHAR",
    "ALTER TABLE triage_assessments ADD COLUMN annex_iii_point VARCHAR",
    "ALTER TABLE triage_assessments ADD COLUMN obligations_json VARCHAR",
    "ALTER TABLE triage_assessments ADD COLUMN recheck VARCHAR",
    # Triages made before this version answered the earlier questionnaire (one role for
    # provider and deployer alike, Annex III by area): mark them for a re-check, keep their
    # role and area 5 point, and log the change.
    f"""UPDATE triage_assessments SET
        questionnaire_version = 1, recheck = '{RECHECK_EARLIER_QUESTIONNAIRE}',
        roles = CASE json_extract_string(answers_json, '$.role')
                    WHEN 'both' THEN 'provider,deployer'
                    ELSE json_extract_string(answers_json, '$.role') END,
        annex_iii_point = CASE WHEN annex_iii_area = 5 AND
                                    json_extract_string(answers_json, '$.area5_point')
                                    IN ('a', 'b', 'c', 'd')
                               THEN '5(' || json_extract_string(answers_json, '$.area5_point')
                                    || ')' END,
        version = version + 1""",
    """INSERT INTO change_log
        SELECT (SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY t.id),
               'triage_assessments', t.id, 'update', 'schema migration 10',
               date_trunc('second', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)),
               (SELECT arg_max(after_json, id) FROM change_log
                WHERE table_name = 'triage_assessments' AND row_id = t.id),
               CAST(to_json(t) AS VARCHAR)
        FROM triage_assessments t""",
)

_V12_SELF_ASSESSMENT = (
    # A self-assessment session (quick or thorough) over clauses 4-10 and Annex A, answered
    # against one version of the question bank; locked once finished.
    """CREATE TABLE self_assessment_sessions (
        id BIGINT PRIMARY KEY, title VARCHAR NOT NULL, held_on DATE NOT NULL,
        mode VARCHAR NOT NULL, bank_version INTEGER NOT NULL, facilitator VARCHAR NOT NULL,
        other_participants VARCHAR, scope_note VARCHAR, status VARCHAR NOT NULL,
        finished_on DATE, finished_by VARCHAR, overall_score DOUBLE, version INTEGER NOT NULL
    )""",
    """CREATE TABLE self_assessment_participants (
        id BIGINT PRIMARY KEY, session_id BIGINT NOT NULL, person VARCHAR NOT NULL,
        version INTEGER NOT NULL, UNIQUE (session_id, person)
    )""",
    # One answer per question of a session: a level 0-5, "don't know" or "not applicable",
    # with the note, the evidence link and what the product suggested when it was given.
    """CREATE TABLE self_assessment_answers (
        id BIGINT PRIMARY KEY, session_id BIGINT NOT NULL, question_id VARCHAR NOT NULL,
        requirement_id VARCHAR NOT NULL, response VARCHAR, level INTEGER, note VARCHAR,
        evidence_link VARCHAR, suggested_level INTEGER, suggestion_reason VARCHAR,
        answered_by VARCHAR, answered_on DATE, version INTEGER NOT NULL,
        UNIQUE (session_id, question_id)
    )""",
    # The results frozen when a session is finished: one row per clause requirement and
    # Annex A objective, with its distance to the level certification needs.
    """CREATE TABLE self_assessment_scores (
        id BIGINT PRIMARY KEY, session_id BIGINT NOT NULL, requirement_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, score DOUBLE, questions INTEGER NOT NULL,
        answered INTEGER NOT NULL, dont_know INTEGER NOT NULL, not_applicable INTEGER NOT NULL,
        target DOUBLE NOT NULL, weight DOUBLE NOT NULL, gap DOUBLE, gap_rank INTEGER,
        version INTEGER NOT NULL, UNIQUE (session_id, requirement_id)
    )""",
    # The roadmap of a finished session: ordered steps that become actions or risks.
    """CREATE TABLE self_assessment_steps (
        id BIGINT PRIMARY KEY, session_id BIGINT NOT NULL, step_no INTEGER NOT NULL,
        requirement_id VARCHAR NOT NULL, title VARCHAR NOT NULL, gap DOUBLE, owner VARCHAR,
        due_on DATE, horizon_months INTEGER, version INTEGER NOT NULL,
        UNIQUE (session_id, step_no)
    )""",
    # What a session assesses: the leaf subclauses of clauses 4-10, then the Annex A
    # objectives, in the catalogue's order.
    """CREATE VIEW self_assessment_requirements AS
        SELECT clause_id AS requirement_id, title, 'clause' AS kind,
               split_part(clause_id, '.', 1) AS area, sort_order
        FROM clauses WHERE is_leaf
        UNION ALL
        SELECT objective_id, title, 'objective', objective_id, 100000 + sort_order
        FROM control_objectives""",
    "ALTER TABLE risks ADD COLUMN self_assessment_step_id BIGINT",
)

_V14_OPERATIONS = (
    # API tokens: only a SHA-256 of each token is kept; scopes are space-separated codes.
    """CREATE TABLE api_tokens (
        id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, scopes VARCHAR NOT NULL,
        token_hash VARCHAR NOT NULL UNIQUE, token_hint VARCHAR NOT NULL,
        created_by VARCHAR NOT NULL, created_on DATE NOT NULL, revoked_by VARCHAR,
        revoked_on DATE, version INTEGER NOT NULL
    )""",
    # Every run of a scheduled job, a backup or a restore (operations log, not a register).
    """CREATE TABLE job_runs (
        id BIGINT PRIMARY KEY, job VARCHAR NOT NULL, trigger VARCHAR NOT NULL,
        scheduled_for TIMESTAMP, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
        outcome VARCHAR NOT NULL, message VARCHAR, requested_by VARCHAR
    )""",
    # A spreadsheet layout's remembered column and value mapping, per register.
    """CREATE TABLE import_layouts (
        id BIGINT PRIMARY KEY, register VARCHAR NOT NULL, layout_key VARCHAR NOT NULL,
        headers_json VARCHAR NOT NULL, column_map_json VARCHAR NOT NULL,
        value_map_json VARCHAR NOT NULL, saved_by VARCHAR NOT NULL, saved_on DATE NOT NULL,
        version INTEGER NOT NULL, UNIQUE (register, layout_key)
    )""",
    # Each person's reminder digest: horizon in days, e-mail address and whether to send.
    """CREATE TABLE reminder_preferences (
        id BIGINT PRIMARY KEY, person VARCHAR NOT NULL UNIQUE, horizon_days INTEGER NOT NULL,
        email VARCHAR, email_enabled BOOLEAN NOT NULL, version INTEGER NOT NULL
    )""",
    # One digest per person per day: what it held and how it was delivered.
    """CREATE TABLE reminder_digests (
        id BIGINT PRIMARY KEY, person VARCHAR NOT NULL, digest_date DATE NOT NULL,
        overdue INTEGER NOT NULL, due_soon INTEGER NOT NULL, email VARCHAR,
        outcome VARCHAR NOT NULL, message VARCHAR, sent_at TIMESTAMP,
        UNIQUE (person, digest_date)
    )""",
)

_LOG_ROW = ("(SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY x.id), "
            "'{table}', x.id, '{operation}', 'schema migration 11', "
            "date_trunc('second', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))")

_V11_UNIQUE_KEYS = (
    # A control treats a risk once: later duplicates of a pair are removed, each logged.
    f"""INSERT INTO change_log
        SELECT {_LOG_ROW.format(table='risk_controls', operation='delete')},
               CAST(to_json(x) AS VARCHAR), NULL
        FROM risk_controls x
        WHERE x.id NOT IN (SELECT min(id) FROM risk_controls GROUP BY risk_id, control_id)""",
    """DELETE FROM risk_controls
        WHERE id NOT IN (SELECT min(id) FROM risk_controls GROUP BY risk_id, control_id)""",
    # An impact is raised as one risk: later risks raised from the same impact keep their
    # content and lose the link, each logged.
    f"""INSERT INTO change_log
        SELECT {_LOG_ROW.format(table='risks', operation='update')},
               CAST(to_json(x) AS VARCHAR),
               CAST(to_json((SELECT y FROM (SELECT * REPLACE (NULL AS impact_id,
                                                              version + 1 AS version)
                                            FROM risks WHERE id = x.id) y)) AS VARCHAR)
        FROM risks x
        WHERE x.impact_id IS NOT NULL
          AND x.id NOT IN (SELECT min(id) FROM risks WHERE impact_id IS NOT NULL
                           GROUP BY impact_id)""",
    """UPDATE risks SET impact_id = NULL, version = version + 1
        WHERE impact_id IS NOT NULL
          AND id NOT IN (SELECT min(id) FROM risks WHERE impact_id IS NOT NULL
                         GROUP BY impact_id)""",
)
_V11_CONSTRAINTS = (
    "ALTER TABLE risk_controls ADD CONSTRAINT risk_controls_pair UNIQUE (risk_id, control_id)",
    "ALTER TABLE risks ADD CONSTRAINT risks_one_per_impact UNIQUE (impact_id)",
)

_V13_MANAGEMENT_REVIEW = (
    # A review from plan to signed minutes: status, scope, the period it covers (after
    # period_start, up to review_date), the 9.3.3 conclusion and the chair's sign-off.
    "ALTER TABLE management_reviews ADD COLUMN status VARCHAR",
    "ALTER TABLE management_reviews ADD COLUMN scope VARCHAR",
    "ALTER TABLE management_reviews ADD COLUMN period_start DATE",
    "ALTER TABLE management_reviews ADD COLUMN aims_suitable BOOLEAN",
    "ALTER TABLE management_reviews ADD COLUMN aims_adequate BOOLEAN",
    "ALTER TABLE management_reviews ADD COLUMN aims_effective BOOLEAN",
    "ALTER TABLE management_reviews ADD COLUMN conclusion VARCHAR",
    "ALTER TABLE management_reviews ADD COLUMN signed_by VARCHAR",
    "ALTER TABLE management_reviews ADD COLUMN signed_on DATE",
    # One row per review input (9.3.2 a-e and the AI-specific ones): notes and "discussed".
    """CREATE TABLE management_review_sections (
        id BIGINT PRIMARY KEY, review_id BIGINT NOT NULL, section VARCHAR NOT NULL,
        notes VARCHAR, discussed BOOLEAN, version INTEGER NOT NULL,
        UNIQUE (review_id, section)
    )""",
    # The results (9.3.3): each decision; its actions are in the actions list.
    """CREATE TABLE management_review_decisions (
        id BIGINT PRIMARY KEY, review_id BIGINT NOT NULL, decision_type VARCHAR NOT NULL,
        decision VARCHAR NOT NULL, section VARCHAR, version INTEGER NOT NULL
    )""",
    """CREATE TABLE management_review_attendees (
        id BIGINT PRIMARY KEY, review_id BIGINT NOT NULL, person VARCHAR NOT NULL,
        capacity VARCHAR, attended BOOLEAN, version INTEGER NOT NULL,
        UNIQUE (review_id, person)
    )""",
    # The frozen pack: every input as it stood at sign-off, as JSON, written once.
    """CREATE TABLE management_review_packs (
        id BIGINT PRIMARY KEY, review_id BIGINT NOT NULL UNIQUE, frozen_on DATE NOT NULL,
        content_json VARCHAR NOT NULL, content_sha256 VARCHAR NOT NULL,
        version INTEGER NOT NULL
    )""",
    # Reviews recorded before this version: held if their date has passed, else planned.
    """UPDATE management_reviews SET
        status = CASE WHEN review_date <= current_date THEN 'held' ELSE 'planned' END,
        version = version + 1""",
    """INSERT INTO change_log
        SELECT (SELECT coalesce(max(id), 0) FROM change_log) + row_number() OVER (ORDER BY t.id),
               'management_reviews', t.id, 'update', 'schema migration 13',
               date_trunc('second', CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP)),
               (SELECT arg_max(after_json, id) FROM change_log
                WHERE table_name = 'management_reviews' AND row_id = t.id),
               CAST(to_json(t) AS VARCHAR)
        FROM management_reviews t""",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "Catalogue, registers and change log", _V1_CORE),
    Migration(2, "Risk method (scale, level grid, tolerance) and re-validation intervals",
              _V2_RISK_METHOD),
    Migration(3, "Inventory: suppliers, data sources per AI system, EU AI Act triage",
              _V3_INVENTORY),
    Migration(4, "Risk treatment: residual-risk acceptances, AI system impact assessments "
                 "and their impacts, impact-to-risk links", _V4_RISK_TREATMENT),
    Migration(5, "Statement of Applicability versions and clause 4-10 status",
              _V5_SOA),
    Migration(6, "Objectives (6.2) linked to KPIs, computed KPI codes, one KPI value per day",
              _V6_OBJECTIVES_KPIS),
    Migration(7, "Improvement: incidents, internal audits with scope and findings, "
                 "nonconformities, the actions list", _V7_IMPROVEMENT),
    Migration(8, "Organisation profile and scope, AI roles as codes, context issues, "
                 "interested parties, opportunities, documents with versions and links, "
                 "evidence documents on SoA and clauses, AIMS roles, competences, training",
              _V8_CONTEXT_POLICY_PEOPLE),
    Migration(9, "People directory (person fields pick from it), local accounts, audit events "
                 "of sign-ins and refusals", _V9_PEOPLE_AND_SIGN_IN),
    Migration(10, "EU AI Act triage by role and Annex III point: questionnaire version, roles, "
                  "obligations and re-check on triages; Annex III points, Annex I law and NIST "
                  "subcategory titles in the catalogue", _V10_TRIAGE),
    Migration(11, "Unique keys where races could repeat a row: one link per risk and control, "
                  "one risk per impact", _V11_UNIQUE_KEYS, _V11_CONSTRAINTS),
    Migration(12, "Self-assessment: sessions, participants, answers, frozen scores and the "
                  "roadmap; risks raised from a roadmap step", _V12_SELF_ASSESSMENT),
    Migration(13, "Management review: status, scope, period, conclusion and sign-off on "
                  "reviews; sections with notes, decisions, attendees, the frozen pack",
              _V13_MANAGEMENT_REVIEW),
    Migration(14, "Operations: API tokens, job runs, remembered import layouts, reminder "
                  "preferences and digests", _V14_OPERATIONS),
)

LATEST_VERSION = max(m.version for m in MIGRATIONS)
