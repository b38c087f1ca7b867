"""Batches of personal files and hand-over files: a worker prints them into one PDF that only
its maker can download, audited, deleted after the retention period."""

from __future__ import annotations

import datetime
import os
import stat

import pytest
from django.urls import reverse
from django.utils import timezone

from lbc_office.core.models import AuditEvent
from registry import services
from registry.models import ChildStatus, PrintJob
from registry.printing import jobs
from tests.factories import ChildFactory, UserFactory
from tests.registry.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def _start_school_batch(client, school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("registry:print_batch") + f"?school={school.pk}")
    assert response.status_code == 302
    return PrintJob.objects.get(), callbacks


def test_a_schools_files_as_one_pdf_end_to_end(
    personas, django_capture_on_commit_callbacks, monkeypatch
):
    ChildFactory(school=personas.school_a, name="赵小刚")
    ChildFactory(school=personas.school_b, name="别校生")
    client = personas.client_for("official")
    queued = []
    from registry import tasks

    monkeypatch.setattr(tasks.print_files, "delay", queued.append)
    job, callbacks = _start_school_batch(
        client, personas.school_a, django_capture_on_commit_callbacks
    )
    assert len(callbacks) == 1 and queued == [job.pk]  # queued once the job is committed
    assert job.status == "queued" and job.total == 2 and job.requested_by == personas.official
    page = client.get(reverse("registry:print_job", args=[job.pk]))
    assert page.status_code == 200 and b"print-progress" in page.content
    fragment = client.get(reverse("registry:print_job_progress", args=[job.pk]))
    assert fragment.status_code == 200 and b'value="0"' in fragment.content

    jobs.run(job.pk)  # the task's body, as the worker runs it
    jobs.run(job.pk)  # delivered twice: printed once
    job.refresh_from_db()
    assert job.status == "done" and job.done == job.total == 2
    path = jobs.path_of(job)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # owner-only on disk
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    progress = client.get(reverse("registry:print_job_progress", args=[job.pk]))
    assert progress.status_code == 204 and progress["HX-Refresh"] == "true"

    response = client.get(reverse("registry:print_job_download", args=[job.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "张小明" in text and "赵小刚" in text and "别校生" not in text
    assert personas.child_a.id_number in text  # an official's batch: whole numbers
    printed = AuditEvent.objects.filter(action="print", object_type="registry.printjob")
    assert printed.count() == 2  # asked for, downloaded
    assert set(printed.first().children.values_list("child_id", flat=True)) == set(job.child_ids)


def test_only_the_official_who_asked_can_download(
    personas, django_capture_on_commit_callbacks, monkeypatch
):
    from registry import tasks

    monkeypatch.setattr(tasks.print_files, "delay", lambda pk: None)
    job, _ = _start_school_batch(
        personas.client_for("official"), personas.school_a, django_capture_on_commit_callbacks
    )
    jobs.run(job.pk)
    other = UserFactory(username="other-official", role="official")
    from django.test import Client

    from tests.conftest import login

    for client in (login(Client(), other), personas.client_for("teacher_a")):
        for name in ("print_job", "print_job_progress", "print_job_download"):
            assert client.get(reverse(f"registry:{name}", args=[job.pk])).status_code == 404


def test_a_batch_is_refused_past_the_limit_and_for_non_officials(personas, settings):
    settings.PRINT_BATCH_MAX = 1
    response = personas.client_for("official").post(reverse("registry:print_batch"))
    assert response.status_code == 302 and not PrintJob.objects.exists()
    response = personas.client_for("teacher_a").post(reverse("registry:print_batch"))
    assert response.status_code == 403 and not PrintJob.objects.exists()  # an unkeyed page


def test_a_child_out_of_scope_since_is_not_printed(personas):
    job = jobs.start(
        kind="batch", child_ids=[personas.child_a.pk, personas.child_b.pk], by=personas.teacher_a
    )
    jobs.run(job.pk)  # teacher A's scope: child A only (a job can only be asked for in scope)
    job.refresh_from_db()
    assert job.total == 1
    assert "李小红" not in pdf_text(jobs.path_of(job).read_bytes())


def test_hand_over_file_of_a_transferred_child(personas, django_capture_on_commit_callbacks):
    child = personas.child_a
    client = personas.client_for("official")
    url = reverse("registry:handover_start", args=[child.pk])
    assert client.post(url).status_code == 404  # still active: nothing to hand over
    services.change_child_status(
        child=child, status=ChildStatus.TRANSFERRED, reason="随父母迁往外县",
        on=timezone.localdate(), by=personas.official,
    )  # fmt: skip
    detail = client.get(reverse("registry:child_detail", args=[child.pk]))
    assert url.encode() in detail.content
    assert client.post(url).status_code == 302
    job = PrintJob.objects.get(kind="handover")
    jobs.run(job.pk)
    job.refresh_from_db()
    text = pdf_text(jobs.path_of(job).read_bytes())
    assert "张小明" in text and "随父母迁往外县" in text


def test_old_prints_are_deleted_and_the_purge_is_idempotent(personas):
    job = jobs.start(kind="batch", child_ids=[personas.child_a.pk], by=personas.official)
    jobs.run(job.pk)
    job.refresh_from_db()
    path = jobs.path_of(job)
    assert path.exists()
    assert jobs.purge_expired() == 0  # young: kept
    later = timezone.now() + datetime.timedelta(days=8)
    assert jobs.purge_expired(now=later) == 1
    assert not path.exists()
    assert jobs.purge_expired(now=later) == 0
    job.refresh_from_db()
    assert job.status == "expired" and job.filename == ""
    response = personas.client_for("official").get(
        reverse("registry:print_job_download", args=[job.pk])
    )
    assert response.status_code == 404
