"""Reading the text of a PDF response (tests of printing and the identity-number battery)."""

from __future__ import annotations

import io


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def response_text(response) -> str:
    """A response's text: a PDF's extracted text, else its bytes decoded."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return pdf_text(body)
    return body.decode("utf-8", "replace")
