"""Personal files as PDF: the same selectors and file sections as the screen, on A4 paper.

Each page carries the county's name, the date, the name of who printed it, and "page n / N"
(CSS paged media, in ``templates/registry/print/file.html``). Identity numbers go through
``idnumber.shown_to`` (the ``{% id_number %}`` tag) exactly as on the screen, so the printer's
role decides what the paper shows. No resource is fetched: the stylesheet is inline and the
fonts come from the system (fontconfig), so rendering cannot be made to reach the network.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from registry import file_sections, selectors, timeline

TIMELINE_LIMIT = 500  # events of the timeline on paper (the screen pages them 20 at a time)


def _no_fetch(url, *args, **kwargs):
    raise ValueError("printing fetches no resource")  # links and images are not followed


def request_for(user):
    """A request standing for ``user`` when a worker prints (the sections read ``request.user``)."""
    request = RequestFactory().get("/")
    request.user = user
    return request


def file_html(request, child, *, title: str = "") -> str:
    """The HTML of one child's file, as ``request.user`` sees it on the screen."""
    file = selectors.personal_file(child)
    file.timeline = timeline.page(child, 1, per_page=TIMELINE_LIMIT)
    return render_to_string(
        "registry/print/file.html",
        {
            "file": file,
            "child": child,
            "title": title,
            "sections": file_sections.sections_for(request, child),
            "printed_by": request.user,
            "printed_on": timezone.localdate(),
            "request": request,
        },
        request=request,
    )


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch, base_url="/").write_pdf()


def file_pdf(request, child, *, title: str = "") -> bytes:
    return pdf_of(file_html(request, child, title=title))


def files(child_ids: list[int]) -> Iterator:
    """The children of ``child_ids`` with their files' relations, 50 at a time, in that order."""
    queryset = selectors.personal_file_queryset()
    for start in range(0, len(child_ids), 50):
        chunk = child_ids[start : start + 50]
        by_pk = queryset.in_bulk(chunk)
        yield from (by_pk[pk] for pk in chunk if pk in by_pk)


def merged(pdfs: Iterable[bytes]) -> bytes:
    """One PDF of several (each file keeps its own page numbers)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
