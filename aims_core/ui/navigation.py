"""The sidebar: its sections and pages, stated once for the router, the tests and the
benchmark (a page added here is opened by all three)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from aims_core.auth import roles

_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class PageSpec:
    file: str  # in pages/
    title: str
    icon: str  # a Material Symbols name
    default: bool = False
    min_role: str = "viewer"  # the lowest app role that sees the page (team mode)

    @property
    def path(self) -> str:
        """Relative to the project root, as AppTest's switch_page wants it."""
        return f"pages/{self.file}"

    @property
    def url_path(self) -> str:
        return self.file.removesuffix(".py")


SECTIONS: dict[str, tuple[PageSpec, ...]] = {
    "Dashboard": (PageSpec("overview.py", "Overview", "dashboard", default=True),
                  PageSpec("my_work.py", "My work", "assignment_ind"),
                  PageSpec("reminders.py", "Reminders", "notifications")),
    "Management system": (PageSpec("organisation.py", "Organisation", "domain"),
                          PageSpec("context.py", "Context", "public"),
                          PageSpec("documents.py", "Documents", "description"),
                          PageSpec("roles.py", "Roles & responsibilities", "badge"),
                          PageSpec("training.py", "Training & competence", "school")),
    "Inventory": (PageSpec("ai_systems.py", "AI systems", "smart_toy"),
                  PageSpec("schedule.py", "Schedule", "event")),
    "Risk": (PageSpec("risks.py", "Risks", "warning"),
             PageSpec("impact_assessments.py", "Impact assessments", "diversity_3"),
             PageSpec("risk_method.py", "Risk method", "grid_on")),
    "Compliance": (PageSpec("soa.py", "Controls (SoA)", "checklist"),
                   PageSpec("clauses.py", "Clauses 4–10", "rule")),
    "Performance": (PageSpec("kpis.py", "KPIs & objectives", "monitoring"),
                    PageSpec("self_assessment.py", "Self-assessment", "speed"),
                    PageSpec("management_review.py", "Management review", "groups")),
    "Improvement": (PageSpec("incidents.py", "Incidents", "crisis_alert"),
                    PageSpec("nonconformities.py", "Nonconformities", "report"),
                    PageSpec("audits.py", "Internal audits", "fact_check"),
                    PageSpec("actions.py", "Actions", "task_alt")),
    "Support registers": (PageSpec("suppliers.py", "Suppliers", "handshake"),),
    "Data": (PageSpec("data_transfer.py", "Import & export", "swap_vert", min_role="auditor"),
             PageSpec("history.py", "Change history", "history", min_role="auditor"),
             PageSpec("backups.py", "Backups", "backup", min_role="auditor"),
             PageSpec("jobs_api.py", "Jobs & API", "api", min_role="aims_manager")),
    "Administration": (PageSpec("users.py", "Users", "manage_accounts", min_role="admin"),),
}

SIGN_IN = PageSpec("sign_in.py", "Sign in", "login", default=True)  # team mode, signed out
MY_WORK = "my_work.py"  # a Contributor's first page


def all_pages() -> list[PageSpec]:
    """Every page in sidebar order."""
    return [spec for pages in SECTIONS.values() for spec in pages]


def sections_for(role: str) -> dict[str, tuple[PageSpec, ...]]:
    """The sidebar one app role sees; a Contributor starts on My work."""
    visible = {section: tuple(replace(spec, default=spec.file == MY_WORK)
                              if role == "contributor" else spec
                              for spec in pages if roles.at_least(role, spec.min_role))
               for section, pages in SECTIONS.items()}
    return {section: pages for section, pages in visible.items() if pages}


def id_param(name: str) -> int | None:
    """A row id given in the URL (``?risk=12``), or None when absent or not an id: a link
    typed by hand must not break the page."""
    value = st.query_params.get(name, "")
    if value.isascii() and value.isdigit() and int(value) <= _MAX_ID:
        return int(value)
    return None
