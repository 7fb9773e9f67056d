"""Fixtures of the import and export tests: files written as people's spreadsheets are, and a
helper that runs an import through its services and its job (inline, as a worker would)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.tessera.security.conftest import make_record, org  # noqa: F401 - the security tests' organisation


@pytest.fixture
def write_csv(tmp_path):
    def write(rows, name="file.csv", encoding="utf-8-sig"):
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(rows)
        path = tmp_path / name
        path.write_bytes(text.getvalue().encode(encoding))
        return path

    return write


@pytest.fixture
def run_import(admin_a):
    """`run_import(path, "account", settings={...}, mapping=None, dry_run=False, actor=admin)` → run."""
    from tessera.core import jobs
    from tessera.transfer import imports

    def run(path, object_api_name="account", *, settings=None, mapping=None, dry_run=False, actor=None,
            source=None):
        actor = actor or admin_a
        with open(path, "rb") as handle:
            started = imports.start_import(object_api_name, path.name, handle, actor)
        prepared = imports.prepare_import(started.pk, actor, source or {})
        columns = mapping if mapping is not None else prepared.run.mapping
        imports.configure_import(started.pk, actor, columns=columns, settings=settings or {})
        queued = imports.start_dry_run(started.pk, actor) if dry_run else imports.start_run(started.pk, actor)
        jobs.run_job(queued.job.pk)
        queued.refresh_from_db()
        return queued

    return run


@pytest.fixture(autouse=True)
def _admin_reads_english(request):
    """Jobs write their messages in the language of the user who started them: English here."""
    if "admin_a" in request.fixturenames:
        admin = request.getfixturevalue("admin_a")
        admin.language = "en"
        admin.save(update_fields=["language"])
