"""A batch printed in chunks side by side (registry/printing/jobs.py): each chunk prints once
however often it is delivered, progress is counted on the job, the last chunk has the parts
joined in order, and a chunk that fails or whose worker died fails the job clearly."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from lbc_office.celery import app as celery_app
from registry.models import PrintChunk, PrintJob
from registry.printing import jobs, render
from tests.factories import ChildFactory
from tests.registry.pdf_text import pdf_text

pytestmark = pytest.mark.django_db
STOPPED = "The worker printing these files stopped; ask for them again."


@pytest.fixture
def three(personas, settings):
    """Three children of school A, printed one a chunk."""
    settings.PRINT_CHUNK_SIZE = 1
    extra = ChildFactory(school=personas.school_a, name="赵小刚")
    return [personas.child_a.pk, extra.pk, personas.child_b.pk]


@pytest.fixture
def queued(monkeypatch):
    """The tasks the jobs queue, by name (kept here, not sent)."""
    sent = []
    monkeypatch.setattr(jobs, "enqueue_on_commit", lambda name, *args: sent.append((name, *args)))
    return sent


@pytest.fixture
def renders(monkeypatch):
    """How many files were laid out."""
    count = []
    real = render.file_pdf

    def counting(request, child, **kwargs):
        count.append(child.pk)
        return real(request, child, **kwargs)

    monkeypatch.setattr(render, "file_pdf", counting)
    return count


def _parts(job) -> list[Path]:
    return list(Path(jobs.print_dir()).glob(f"part-{job.pk}-*.pdf"))


def test_a_batch_in_chunks_through_eager_tasks_is_one_pdf_in_order(
    personas, three, django_capture_on_commit_callbacks
):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            jobs.run(job.pk)
    finally:
        celery_app.conf.task_always_eager = False
    job.refresh_from_db()
    assert job.status == "done" and job.done == job.total == 3
    assert list(job.chunks.values_list("status", "printed")) == [("done", 1)] * 3
    text = pdf_text(jobs.path_of(job).read_bytes())
    assert text.index("张小明") < text.index("赵小刚") < text.index("李小红")  # the list's order
    assert stat.S_IMODE(os.stat(jobs.path_of(job)).st_mode) == 0o600
    assert _parts(job) == []  # the parts are deleted once joined


def test_a_chunk_delivered_twice_prints_once_and_progress_is_counted(
    personas, three, queued, renders
):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)
    jobs.run(job.pk)
    jobs.run(job.pk)  # the split delivered twice: nothing split again, waiting chunks re-sent
    chunks = list(job.chunks.order_by("index"))
    assert len(chunks) == 3 and PrintChunk.objects.count() == 3
    assert queued == [("registry.tasks.print_chunk", c.pk) for c in chunks] * 2
    del queued[:]

    jobs.run_chunk(chunks[0].pk)
    jobs.run_chunk(chunks[0].pk)  # delivered twice: printed once
    job.refresh_from_db()
    assert renders == [three[0]] and job.done == 1 and job.status == "running"
    assert stat.S_IMODE(os.stat(_parts(job)[0]).st_mode) == 0o600

    jobs.run_chunk(chunks[2].pk)
    jobs.run_chunk(chunks[1].pk)
    assert queued == [("registry.tasks.print_join", job.pk)]  # queued by the last one only
    jobs.join(job.pk)
    jobs.join(job.pk)  # delivered twice: joined once
    job.refresh_from_db()
    assert job.status == "done" and job.done == job.total == 3 and len(renders) == 3
    assert "赵小刚" in pdf_text(jobs.path_of(job).read_bytes())


def test_a_chunk_whose_worker_died_fails_the_job_and_never_loops(personas, three, queued, renders):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)
    jobs.run(job.pk)
    first, second, third = job.chunks.order_by("index")
    jobs.run_chunk(first.pk)
    PrintChunk.objects.filter(pk=second.pk).update(status="running")  # a worker killed mid-chunk
    jobs.run_chunk(second.pk)  # the chunk delivered again
    job.refresh_from_db()
    assert job.status == "failed" and job.message == _(STOPPED)
    assert _parts(job) == []  # the part already printed is deleted
    jobs.run_chunk(second.pk)
    jobs.run_chunk(third.pk)  # the job failed: the rest is not printed
    assert renders == [three[0]]
    assert ("registry.tasks.print_join", job.pk) not in queued
    job.refresh_from_db()
    assert job.status == "failed" and job.filename == ""


def test_a_chunk_that_breaks_fails_the_job_with_a_message(personas, three, queued, monkeypatch):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)
    jobs.run(job.pk)
    first = job.chunks.order_by("index").first()

    def broken(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(render, "file_pdf", broken)
    with pytest.raises(RuntimeError):
        jobs.run_chunk(first.pk)
    job.refresh_from_db()
    first.refresh_from_db()
    assert first.status == "failed"
    assert job.status == "failed" and job.message == _(
        "The files could not be printed: an unexpected error stopped the worker."
    )


def test_the_scope_is_checked_again_when_a_chunk_prints(personas, three, queued, renders):
    job = jobs.start(kind="batch", child_ids=three[:2], by=personas.teacher_a)
    jobs.run(job.pk)
    first, second = job.chunks.order_by("index")
    type(personas.child_a).objects.filter(pk=three[1]).update(school=personas.school_b)  # moved
    jobs.run_chunk(first.pk)
    jobs.run_chunk(second.pk)
    jobs.join(job.pk)
    job.refresh_from_db()
    assert renders == [three[0]]
    assert job.status == "done" and job.done == job.total == 1
    assert "赵小刚" not in pdf_text(jobs.path_of(job).read_bytes())


def test_a_job_split_by_a_worker_that_died_fails_clearly(personas, three, queued):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)
    PrintJob.objects.filter(pk=job.pk).update(status="running", attempts=1)  # died before split
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == _(STOPPED)
    assert not job.chunks.exists() and queued == []


def test_a_split_that_breaks_fails_the_job_not_leaves_it_running(
    personas, three, queued, monkeypatch
):
    job = jobs.start(kind="batch", child_ids=three, by=personas.official)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(jobs, "_visible", broken)
    with pytest.raises(RuntimeError):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not job.chunks.exists() and queued == []


def test_two_chunks_ending_together_queue_one_join(personas, three, queued):
    job = jobs.start(kind="batch", child_ids=three[:2], by=personas.official)
    jobs.run(job.pk)
    first, second = job.chunks.order_by("index")
    jobs.run_chunk(first.pk)
    jobs.run_chunk(second.pk)
    # The first one's end again, as if it had found no chunk left at the same moment.
    PrintChunk.objects.filter(pk=first.pk).update(status="queued")
    jobs.run_chunk(first.pk)
    assert [q for q in queued if q[0] == "registry.tasks.print_join"] == [
        ("registry.tasks.print_join", job.pk)
    ]
    jobs.join(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.done == 2


def test_a_join_whose_worker_died_fails_the_job(personas, three, queued):
    job = jobs.start(kind="batch", child_ids=three[:2], by=personas.official)
    jobs.run(job.pk)
    for chunk in job.chunks.all():
        jobs.run_chunk(chunk.pk)
    PrintJob.objects.filter(pk=job.pk).update(attempts=2)  # a join began, its worker died
    jobs.join(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == _(STOPPED) and job.filename == ""


def test_a_one_chunk_job_whose_worker_died_mid_print_fails_clearly(personas, queued, renders):
    job = jobs.start(kind="handover", child_ids=[personas.child_a.pk], by=personas.official)
    PrintJob.objects.filter(pk=job.pk).update(status="running", attempts=1)
    PrintChunk.objects.create(job=job, index=0, child_ids=[personas.child_a.pk], status="running")
    jobs.run(job.pk)  # delivered again after the worker died inside the one chunk
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.message == _(STOPPED) and renders == []
