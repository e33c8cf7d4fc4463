"""The inputs a management review considers, in the order the meeting takes them: ISO/IEC
42001 9.3.2 a) to e), then the AI-specific inputs people expect, then what changed.

Each input is one section of the review page, of the presenter's screen and of the pack;
its code is stored with its notes (``management_review_sections.section``), so codes are
stable: add new ones, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title: str
    clause: str  # what the standard (or practice) calls it
    asks: str  # our own one-line summary of what the review considers here
    links: tuple[tuple[str, str], ...]  # "where to find it": (label, page url path)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("a_actions", "Actions from previous reviews", "9.3.2 a)",
                "Where the actions decided at earlier reviews stand.",
                (("Actions", "actions?action_source=management_review_decision"),)),
    SectionSpec("b_issues", "External and internal issues", "9.3.2 b)",
                "What changed in the issues that matter to the AIMS.",
                (("Context: issues", "context?context_tab=Issues"),)),
    SectionSpec("c_parties", "Interested parties' needs", "9.3.2 c)",
                "What changed in what interested parties need and expect.",
                (("Context: interested parties", "context?context_tab=Interested%20parties"),)),
    SectionSpec("d1_nonconformities", "Nonconformities and corrective actions",
                "9.3.2 d) 1)", "The trend of nonconformities and how corrective actions fare.",
                (("Nonconformities", "nonconformities"), ("Actions", "actions"))),
    SectionSpec("d2_monitoring", "Monitoring and measurement results", "9.3.2 d) 2)",
                "KPI results against their targets and thresholds, and the objectives.",
                (("KPIs & objectives", "kpis"),)),
    SectionSpec("d3_audits", "Audit results", "9.3.2 d) 3)",
                "Internal audits held in the period and what they found.",
                (("Internal audits", "audits"),)),
    SectionSpec("e_opportunities", "Opportunities for continual improvement", "9.3.2 e)",
                "Improvement opportunities and the gaps the last self-assessment found.",
                (("Context: opportunities", "context?context_tab=Opportunities"),)),
    SectionSpec("risks", "Risk picture and treatment", "6.1.2, 6.1.3, 8.2, 8.3",
                "Open risks by level, risks above tolerance, treatment under way.",
                (("Risks", "risks"),)),
    SectionSpec("soa", "Statement of Applicability", "6.1.3 d), Annex A",
                "Control coverage and the SoA versions approved in the period.",
                (("Controls (SoA)", "soa"),)),
    SectionSpec("revalidation_incidents", "Re-validations and incidents", "A.6.2.6, A.8.4",
                "Re-validations overdue or done, incidents opened and closed.",
                (("AI systems", "ai_systems"), ("Schedule", "schedule"),
                 ("Incidents", "incidents"))),
    SectionSpec("eu_ai_act", "EU AI Act dates", "Regulation (EU) 2024/1689",
                "Duties that came into force in the period or come in the next year.",
                (("Schedule", "schedule"), ("AI systems", "ai_systems"))),
    SectionSpec("changes", "Changed since the last review", "9.3.2 (all inputs)",
                "What moved in the registers between the two reviews.",
                (("Overview", "overview"),)),
)
SECTION_TITLES = {s.code: f"{s.clause} {s.title}" if s.clause.startswith("9.3.2 ")
                  else s.title for s in SECTIONS}
BY_CODE = {s.code: s for s in SECTIONS}
