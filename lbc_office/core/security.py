"""Security headers and log hygiene (ground floor: imports none of our apps)."""

from __future__ import annotations

import logging
import re

# Everything the pages load is ours (vendored, no CDN): scripts and styles only from files, never
# inline. Bootstrap's CSS draws icons from data: URIs, and the two-step sign-in's QR code is one.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Django's own admin pages still carry inline style attributes.
ADMIN_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            ADMIN_POLICY if request.path_info.startswith("/admin/") else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


# An identity number (17 digits and a digit or X), a mainland mobile number, a session key.
# A number keeps its area code only, as registry.idnumber.mask shows it on pages: whoever reads
# a log line may know the child's birth date, and the last four would then leave ~50 candidates.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{11}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_SECRET = re.compile(r"(?i)(sessionid|csrftoken|password|passwd|secret|token)=([^\s&;,]+)")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1************", text)
    text = _MOBILE.sub(r"\1****\2", text)
    return _SECRET.sub(r"\1=[removed]", text)


class RedactFilter(logging.Filter):
    """Logs carry no identity numbers, phone numbers, passwords or session keys, whatever
    a library or a traceback puts in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
