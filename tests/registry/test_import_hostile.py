"""Hostile uploads (issue 12, finding 3): files that are small on disk but huge to read are
refused, with a clear message, in the upload page, the worker's check and the commands, before
their rows are read; errors are kept to a bounded list; a job whose worker dies ends failed.

Guarded so that a failure on the old code cannot take the test runner down: the reader-level
test runs in a forked child under an address-space limit, and the other tests put a tripwire
on the range-allocating reader (python-calamine aborted the whole process on the sparse file:
"memory allocation of 549755813888 bytes failed") and on reading a command's file whole.
Peak memory of the web process and the worker is measured by scripts/bench_hostile_uploads.py.
"""

from __future__ import annotations

import datetime
import multiprocessing
import resource
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from lbc_office.celery import app as celery_app
from registry import tasks
from registry.importing import FileRefused, check_file, jobs, read_register_file
from registry.models import ImportJob
from tests.factories import make_id_number
from tests.registry import hostile_files

pytestmark = pytest.mark.django_db

ROWS = "more rows than the 200,000"
COLUMNS = "a register file has at most 50 columns"
LINE = "the line is longer than 64 KB"


@pytest.fixture(autouse=True)
def tripwires(monkeypatch):
    """Reaching a reader that builds the whole range fails the test instead of the machine."""
    try:
        import python_calamine
    except ImportError:  # pragma: no cover - the dependency may go
        return

    def refuse(*args, **kwargs):
        raise AssertionError("the range-allocating reader was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse, raising=False)
    monkeypatch.setattr(python_calamine, "load_workbook", refuse, raising=False)


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "million.xlsx"
    hostile_files.million_rows_xlsx(path)
    return path


@pytest.fixture(scope="module")
def million_rows_undeclared(tmp_path_factory) -> Path:
    """The same without a ``<dimension>``: only reading finds out how many rows there are."""
    path = tmp_path_factory.mktemp("hostile") / "million-undeclared.xlsx"
    hostile_files.million_rows_xlsx(path, dimension=False)
    return path


def _refusal(data: bytes, **kwargs) -> str:
    with translation.override("en"), pytest.raises(FileRefused) as excinfo:
        read_register_file(data, **kwargs)
    return excinfo.value.message


# --- the reader -------------------------------------------------------------------------------


def _read_in_child(data: bytes, ceiling: int, pipe) -> None:  # pragma: no cover - in a child
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        with translation.override("en"):
            read_register_file(data)
        pipe.send("read")
    except FileRefused as exc:
        pipe.send(exc.message)
    except MemoryError:
        pipe.send("MemoryError")


def test_the_sparse_corner_file_is_refused_within_bounded_memory():
    """In a forked child limited to 512 MB more address space than it starts with: the 1.7 KB
    workbook whose cells are at A1 and XFD1048576 is refused, and nothing big is allocated."""
    data = hostile_files.sparse_corner_xlsx()
    assert len(data) < 2500
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    ceiling = pages * resource.getpagesize() + 512 * 1024 * 1024
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(data, ceiling, send))
    child.start()
    child.join(60)
    answer = receive.recv() if receive.poll(1) else f"the child died ({child.exitcode})"
    assert ROWS in answer
    assert "Row 1,048,576" in answer


@pytest.mark.parametrize(
    ("corner", "dimension", "expected"),
    [
        ("XFD1048576", True, "Row 1,048,576"),  # declared: refused before any cell is read
        ("XFD1048576", False, "Row 1,048,576"),  # found while streaming
        ("XFD1", True, "Cell XFD1"),
        ("XFD1", False, "Cell XFD1"),
        ("AY1", False, "Cell AY1"),  # the 51st column
    ],
)
def test_cells_beyond_the_caps_are_refused_by_name(corner, dimension, expected):
    message = _refusal(hostile_files.sparse_corner_xlsx(dimension=dimension, corner=corner))
    assert expected in message
    assert (ROWS if corner.endswith("1048576") else COLUMNS) in message


def test_the_caps_are_settings(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    assert "Cell F1" in _refusal(hostile_files.sparse_corner_xlsx(corner="F1"))
    settings.IMPORT_MAX_COLUMNS = 50
    table = read_register_file(hostile_files.sparse_corner_xlsx(corner="AX1"))  # the 50th column
    assert table.header[-1] == "corner" and len(table.header) == 50


def test_a_million_rows_are_refused_by_the_declared_dimension_and_while_streaming(
    million_rows, million_rows_undeclared
):
    assert million_rows.stat().st_size < 8 * 1024 * 1024
    assert "Row 1,000,001" in _refusal(million_rows.read_bytes())
    assert "Row 200,001" in _refusal(million_rows_undeclared.read_bytes())


def test_a_zip_bomb_is_refused_from_its_directory():
    data = hostile_files.zip_bomb_xlsx(unpacked_mb=600)
    assert len(data) < 2 * 1024 * 1024
    assert "unpacks to 600 MB, more than the 512 MB" in _refusal(data)


def test_a_workbook_with_a_dtd_is_refused():
    data = hostile_files.sparse_corner_xlsx(corner="B1")
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(
                    b"<worksheet",
                    b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><worksheet',
                    1,
                )
            out.writestr(info.filename, part)
    assert "cannot be opened" in _refusal(buffer.getvalue())


def test_a_csv_with_a_huge_line_or_too_many_lines_or_columns_is_refused(settings):
    line = "身份证号,".encode() + b"a," * (1 << 19)  # 1 MB: half a million columns
    assert "Line 1:" in _refusal(line) and LINE in _refusal(line)
    settings.IMPORT_MAX_ROWS = 1000
    many = b"id_number,name\r\n" + b"x,y\r\n" * 1000
    assert "the file has 1,001 lines, more than the 1,000" in _refusal(many)
    wide = b"id_number,name\r\n" + b"x," * 60 + b"y\r\n"
    assert "Line 2: the line has 61 columns" in _refusal(wide)


def test_the_caps_can_be_lifted():
    data = hostile_files.sparse_corner_xlsx(corner="BA1")
    table = read_register_file(data, caps=False)
    assert len(table.header) == 53


# --- the upload page --------------------------------------------------------------------------


def _upload(client, data, name):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    with translation.override("en"):
        return client.post(
            reverse("registry:import_start"),
            {"kind": "children", "file": file},
            HTTP_ACCEPT_LANGUAGE="en",
        )


def test_the_upload_page_refuses_the_hostile_files(official_client, million_rows):
    cases = [
        (hostile_files.sparse_corner_xlsx(), "register.xlsx", ROWS),
        (million_rows.read_bytes(), "register.xlsx", ROWS),
        (hostile_files.zip_bomb_xlsx(), "register.xlsx", "unpacks to 600 MB"),
        ("身份证号,".encode() + b"a," * (1 << 19), "register.csv", LINE),
    ]
    for data, name, reason in cases:
        response = _upload(official_client, data, name)
        assert response.status_code == 200
        assert reason in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_page_refuses_a_100_mb_file_before_reading_it(official_client, tmp_path):
    path = hostile_files.single_line_csv(tmp_path / "line.csv", megabytes=100)
    with path.open("rb") as handle:
        file = SimpleUploadedFile("line.csv", b"", content_type="text/csv")
        file.file, file.size = handle, path.stat().st_size
        with translation.override("en"):
            response = official_client.post(
                reverse("registry:import_start"),
                {"kind": "children", "file": file},
                HTTP_ACCEPT_LANGUAGE="en",
            )
    assert "the largest accepted is 20 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- the worker's check -----------------------------------------------------------------------


def _job(personas, data: bytes, status="checking") -> ImportJob:
    return ImportJob.objects.create(
        kind="children", filename="x.xlsx", size=len(data), data=data,
        uploaded_by=personas.official, status=status, confirmed_by=personas.official,
    )  # fmt: skip


def test_the_worker_refuses_a_million_undeclared_rows(personas, million_rows_undeclared):
    job = _job(personas, million_rows_undeclared.read_bytes())
    with translation.override("en"):
        jobs.check(job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and "Row 200,001" in job.message and job.data == b""


def test_the_worker_refuses_the_sparse_corner_file(personas):
    job = _job(personas, hostile_files.sparse_corner_xlsx(dimension=False))
    with translation.override("en"):
        jobs.check(job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and ROWS in job.message


BORN = datetime.date(2016, 6, 1)


def _bad_rows_csv(personas, n: int) -> bytes:
    header = "身份证号,姓名,性别,出生日期,学校代码,年级,乡镇,村,父亲外出,母亲外出,监护人,住校,贫困"
    town = personas.school_a.town.name
    line = f"{{}},学生,女,{BORN},NOPE,4,{town},新村,是,是,祖辈,否,否"
    rows = [line.format(make_id_number(BORN, "F", area=f"5{i:05d}")) for i in range(n)]
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def test_errors_are_kept_to_a_bounded_list_and_counted(
    personas, official_client, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ERRORS = 20
    with translation.override("en"):
        report = check_file("children", _bad_rows_csv(personas, 150), by=personas.official)
    assert len(report.errors) == 20 and report.error_count == 150 and report.more_errors == 130
    assert not report.ok
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _upload(official_client, _bad_rows_csv(personas, 150), "bad.csv")
    finally:
        celery_app.conf.task_always_eager = False
    job = ImportJob.objects.get()
    assert job.status == "checked" and len(job.check_report["errors"]) == 20
    page = official_client.get(
        reverse("registry:import_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "150 mistakes were found" in page
    assert "… and 130 more errors" in page
    assert 'id="confirm-import"' not in page


# --- a worker that dies: failed after one more delivery, never a loop -----------------------


class WorkerKilled(BaseException):
    """What the job sees of a SIGKILL or the OOM killer: nothing after this point runs."""


def test_a_check_whose_worker_died_fails_on_the_next_delivery(personas, monkeypatch):
    job = _job(personas, _bad_rows_csv(personas, 3))
    calls = []

    def dies(*args, **kwargs):
        calls.append(1)
        raise WorkerKilled

    monkeypatch.setattr(jobs, "check_file", dies)
    with pytest.raises(WorkerKilled):
        jobs.check(job.pk)  # the first delivery: the worker dies while reading
    with translation.override("en"):
        jobs.check(job.pk)  # redelivered (acks_late, reject_on_worker_lost)
        jobs.check(job.pk)  # and again: nothing more
    job.refresh_from_db()
    assert calls == [1], "the file was read again after its worker died"
    assert job.status == "failed" and job.data == b"" and job.finished_at is not None
    assert "the worker reading it stopped" in job.message


def test_an_import_whose_worker_died_fails_on_the_next_delivery(personas, monkeypatch):
    job = _job(personas, _bad_rows_csv(personas, 3), status="queued")
    calls = []

    def dies(*args, **kwargs):
        calls.append(1)
        raise WorkerKilled

    monkeypatch.setattr(jobs, "import_file", dies)
    with pytest.raises(WorkerKilled):
        jobs.run(job.pk)
    with translation.override("en"):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert calls == [1] and job.status == "failed" and "worker reading it stopped" in job.message


def test_an_unexpected_error_in_the_check_ends_the_job(personas, monkeypatch):
    job = _job(personas, _bad_rows_csv(personas, 3))
    monkeypatch.setattr(jobs, "check_file", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError), translation.override("en"):
        jobs.check(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "unexpected error" in job.message


def test_the_import_tasks_are_requeued_when_their_worker_is_lost():
    for task in (tasks.check_import, tasks.run_import):
        assert task.acks_late and task.reject_on_worker_lost


def test_the_page_of_a_failed_job_says_why(personas, official_client):
    job = _job(personas, b"")
    ImportJob.objects.filter(pk=job.pk).update(status="failed", message="The worker stopped.")
    page = official_client.get(reverse("registry:import_detail", args=[job.pk])).content
    assert b"The worker stopped." in page


# --- the commands -----------------------------------------------------------------------------


def _command_refusal(path: Path, *extra) -> str:
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("import_children", str(path), "--dry-run", *extra)
    return str(excinfo.value)


def test_the_command_refuses_the_hostile_files(tmp_path, million_rows, monkeypatch):
    sparse = tmp_path / "sparse.xlsx"
    sparse.write_bytes(hostile_files.sparse_corner_xlsx())
    assert ROWS in _command_refusal(sparse)
    assert ROWS in _command_refusal(million_rows)
    line = hostile_files.single_line_csv(tmp_path / "line.csv", megabytes=100)

    def no_whole_read(self):
        raise AssertionError("the 100 MB file was read whole")

    monkeypatch.setattr(Path, "read_bytes", no_whole_read)
    assert "the largest accepted is 20 MB" in _command_refusal(line)


def test_the_command_lifts_the_caps_on_request(tmp_path, personas):
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(hostile_files.sparse_corner_xlsx(corner="BA1", dimension=False))
    assert COLUMNS in _command_refusal(wide)
    message = _command_refusal(wide, "--no-limits")
    assert COLUMNS not in message and "errors in 0 rows" in message  # read; it just has no rows


def test_the_worker_refuses_a_stored_file_over_the_size_cap_before_fetching_it(personas, settings):
    job = _job(personas, b"id_number,name\r\n" + b"x,y\r\n" * 500)
    settings.IMPORT_MAX_BYTES = 1000
    with translation.override("en"):
        jobs.check(job.pk)
    job.refresh_from_db()
    assert job.status == "refused" and "the largest accepted is" in job.message


def test_line_endings_of_every_kind_pass_the_line_checks(settings):
    """LF, CRLF and the lone CR of old Excel for Mac: a 3,000-line file is 3,000 lines."""
    settings.IMPORT_MAX_ROWS = 3000
    for ending in (b"\n", b"\r\n", b"\r"):
        data = ending.join([b"id_number,name"] + [b"x,y"] * 2999) + ending
        assert len(read_register_file(data).rows) == 2999
    long_second = b"id_number,name\r" + b"x" * (70 * 1024) + b"\r"
    assert "Line 2:" in _refusal(long_second)


def test_cells_and_text_are_capped_too(settings):
    """Within the row and column caps a file can still hold too much: cells, or text."""
    settings.IMPORT_MAX_CELLS = 30
    assert "more than 30 cells with a value" in _refusal(b"a,b,c\r\n" + b"1,2,3\r\n" * 20)
    table = read_register_file(b"a,b,c\r\n" + b"1,,\r\n" * 20)  # empty cells are not counted
    assert len(table.rows) == 20
    settings.IMPORT_MAX_CELLS = 4_000_000
    settings.IMPORT_MAX_BYTES = 20
    text = "x" * 45
    data = hostile_files.sparse_corner_xlsx(corner="B1").replace(b"corner", text.encode())
    assert "more than 0 million characters" in _refusal(data, limit=10_000)


def test_the_command_prints_a_bounded_list_of_errors(personas, settings, capsys, tmp_path):
    settings.IMPORT_MAX_ERRORS = 5
    path = tmp_path / "bad-rows.csv"
    path.write_bytes(_bad_rows_csv(personas, 30))
    with translation.override("en"), pytest.raises(CommandError) as excinfo:
        call_command("import_children", str(path), "--dry-run")
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 6 and errors[-1] == "… and 25 more errors."
    assert "30 errors in 30 rows" in str(excinfo.value)
