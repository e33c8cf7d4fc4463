"""The server listens first and gets ready behind it.

Loading the app's modules (pandas, pyarrow, the registers, the pages), opening the database
and starting the scheduler take about two seconds; a browser needs about as long to load
Streamlit's own files before its first page asks the server for anything. So ``server.py``
imports only this module and Streamlit, and :func:`lifespan` does the rest in one thread
while the server already answers. The pages (``app.py``) and the API wait for that thread
on first use (:func:`wait`), so every heavy import runs in one thread, never two at once.

The imports in the functions below are deliberate: this module must stay light.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from starlette.types import Receive, Scope, Send

LOG = logging.getLogger("aims_core.readiness")
# What app.py and the default page (the Overview) import: loaded before their first run.
FIRST_PAGE_MODULES = (
    "aims_core.ui.identity", "aims_core.ui.chrome", "aims_core.ui.navigation",
    "aims_core.ui.session", "aims_core.ui.views.organisation", "aims_core.ui.shell",
    "aims_core.ui.views.overview",
)
# A daily job missed while the server was down runs once the first page has been shown, or
# this long after start-up if nobody opens one: not while the person who started the app
# waits for it (a backup and a snapshot slow a first page by about half a second).
FIRST_PAGE_GRACE_S = 3.0
_first_page = threading.Event()
_pages_ready = threading.Event()
_pages_ready.set()  # nothing to wait for until a server starts getting ready
_service_ready = threading.Event()
_service_ready.set()


def wait() -> None:
    """Block until the modules of the first page are loaded and the database is open (at
    once in a process that is not getting ready, e.g. ``streamlit run app.py``, AppTest)."""
    _pages_ready.wait()


def first_page_shown() -> None:
    """The app's first run has finished: jobs waiting for it may start."""
    _first_page.set()


def _load_first_page() -> None:
    from aims_core import service

    for name in FIRST_PAGE_MODULES:
        importlib.import_module(name)
    # Streamlit's first element of a process calls inspect.stack() (to warn when run outside
    # `streamlit run`), which maps every loaded module to its file: 0.3 s with the app
    # loaded. Mapped here, the first page pays only for the modules loaded since.
    inspect.stack()
    service.open_database()


def _start_service() -> None:
    from aims_core import service

    importlib.import_module("aims_core.api.routes")
    service.start_jobs(lambda: _first_page.wait(FIRST_PAGE_GRACE_S))


def _get_ready() -> None:
    try:
        _load_first_page()
    except Exception:  # the page shows the same failure when it imports or opens
        LOG.exception("getting ready for the first page failed")
    finally:
        _pages_ready.set()
    try:
        _start_service()
    except Exception:  # logged; the first API call and the Jobs & API page fail alike
        LOG.exception("starting the API or the scheduled jobs failed")
    finally:
        _service_ready.set()


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[dict[str, Any]]:
    """At start-up get ready in a thread; at shut-down let a running job finish, stop the
    scheduler and close the database so the command line can use it."""
    _pages_ready.clear()
    _service_ready.clear()
    _first_page.clear()
    getting_ready = threading.Thread(target=_get_ready, name="aims-getting-ready", daemon=True)
    getting_ready.start()
    try:
        yield {}
    finally:
        await anyio.to_thread.run_sync(getting_ready.join)
        from aims_core import service

        await anyio.to_thread.run_sync(service.shut_down)


class Api:
    """The HTTP API under its prefix, built on its first request once the service is ready
    (Starlette's ``Mount`` takes any ASGI app)."""

    def __init__(self) -> None:
        self._router: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._router is None:
            await anyio.to_thread.run_sync(_service_ready.wait)
            from aims_core.api import routes

            self._router = routes.router()
        await self._router(scope, receive, send)
