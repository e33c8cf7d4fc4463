"""The command line's way into a running app: the same commands, through its HTTP API.

URL and token come from ``--api-url``/``--api-token`` or ``$AIMS_API_URL``/``$AIMS_API_TOKEN``
(the URL defaults to ``make run``'s http://127.0.0.1:8501).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aims_core.storage.transfer import MANIFEST_NAME, read_manifest, verify_files

DEFAULT_URL = "http://127.0.0.1:8501"


class ApiClientError(RuntimeError):
    """The app could not be reached or refused the call; the message says why."""


def api_settings(url: str | None, token: str | None) -> tuple[str, str | None]:
    """The URL and token to use: the options, else the environment, else the default URL."""
    chosen_url = (url or os.environ.get("AIMS_API_URL", "") or DEFAULT_URL).rstrip("/")
    chosen_token = (token or os.environ.get("AIMS_API_TOKEN", "")).strip() or None
    return chosen_url, chosen_token


@dataclass(frozen=True)
class ApiClient:
    url: str
    token: str
    timeout: float = 900.0  # a large import through the write path takes a while

    def _open(self, method: str, path: str, body: bytes | None = None,
              content_type: str | None = None) -> Any:
        request = urllib.request.Request(f"{self.url}/api/v1{path}", data=body, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise ApiClientError(_explain(exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ApiClientError(f"cannot reach the app at {self.url} ({reason}); check "
                                 "--api-url / AIMS_API_URL") from None

    def json(self, method: str, path: str, body: bytes | None = None,
             content_type: str | None = None) -> dict[str, Any]:
        with self._open(method, path, body, content_type) as reply:
            return json.loads(reply.read().decode("utf-8"))

    def snapshot(self, day: date | None) -> str:
        body = json.dumps({"date": day.isoformat()} if day else {}).encode()
        return self.json("POST", "/snapshot", body, "application/json")["summary"]

    def import_kpis(self, data: bytes, filename: str, skip_bad_rows: bool) -> list[str]:
        kind = "text/csv" if filename.lower().endswith(".csv") else \
            "application/vnd.apache.parquet"
        query = urllib.parse.urlencode({"skip_bad_rows": str(skip_bad_rows).lower(),
                                        "source": filename})
        return self.json("POST", f"/kpi-values?{query}", data, kind)["lines"]

    def download(self, path: str, target: Path) -> Path:
        """Stream ``path`` into ``target`` (written under a temporary name, then renamed)."""
        partial = target.with_name(f".{target.name}.partial")
        try:
            with self._open("GET", path) as reply, partial.open("wb") as out:
                shutil.copyfileobj(reply, out, 1 << 20)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    def export(self, out_dir: Path) -> dict[str, Any]:
        """The app's export, checked against its manifest, unpacked into ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out_dir.parent) as tmp:
            archive = self.download("/export", Path(tmp) / "export.zip")
            unpacked = Path(tmp) / "tables"
            try:
                with zipfile.ZipFile(archive) as packed:
                    for member in packed.namelist():
                        if Path(member).name != member:
                            raise ApiClientError(f"the export holds a path {member!r}")
                    packed.extractall(unpacked)
            except zipfile.BadZipFile as exc:
                raise ApiClientError(f"the export download is damaged: {exc}") from None
            manifest = read_manifest(unpacked)
            verify_files(unpacked, manifest)
            for path in sorted(unpacked.iterdir(), key=lambda p: p.name == MANIFEST_NAME):
                path.replace(out_dir / path.name)  # the manifest last: complete when present
        return manifest


def _explain(exc: urllib.error.HTTPError) -> str:
    try:
        error = json.loads(exc.read().decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError):
        return f"the app answered HTTP {exc.code} {exc.reason}"
    lines = [f"the app refused it (HTTP {exc.code}): {error.get('message')}"]
    lines += [f"{p['row']}, field '{p['field']}': {p['message']}" if p.get("field")
              else f"{p['row']}: {p['message']}" for p in error.get("problems") or []]
    return "\n".join(lines)
