"""The path converter for record keys in URLs (ground floor): ``<key:pk>`` instead of ``<int:pk>``.

Django's ``int`` takes any run of digits, and ``/children/99999999999999999999/`` then reached
the database as a number no key column can hold: PostgreSQL refused it ("bigint out of range")
and the page answered 500. A key past the largest value of a ``bigint`` (SQLite's integers are
the same size) matches no URL here, so the answer is the 404 of any unknown address. Every
``urls.py`` uses ``key`` for record keys; the security battery tries an out-of-range key on every
keyed pattern.
"""

from __future__ import annotations

from django.urls import register_converter

KEY_MAX = 2**63 - 1  # PostgreSQL's bigint, and SQLite's INTEGER


class KeyConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > KEY_MAX:
            raise ValueError("out of range")  # no match: the resolver answers 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(KeyConverter, "key")
