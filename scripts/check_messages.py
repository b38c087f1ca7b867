"""CI check: every user-facing string is in the Chinese catalogue, translated, and compiled.

1. `makemessages` must not change the catalogue (no string missing or obsolete);
2. no entry may be untranslated or fuzzy;
3. the committed .mo must hold exactly what the .po says (compared as catalogues, not bytes).
"""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
MANAGE = [sys.executable, str(ROOT / "manage.py")]
_VOLATILE = re.compile(r'^"POT-Creation-Date:.*$', re.M)


def run(*args: str) -> str:
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout  # noqa: S603


def main() -> int:
    problems = []
    before = PO.read_text(encoding="utf-8")
    try:
        run(*MANAGE, "makemessages", "-l", "zh_Hans", "--no-obsolete", "--add-location", "file",
            "--ignore=.venv")  # fmt: skip
        after = PO.read_text(encoding="utf-8")
    finally:
        PO.write_text(before, encoding="utf-8")
    if _VOLATILE.sub("", before) != _VOLATILE.sub("", after):
        problems.append("the catalogue is out of date: run `make messages` and translate")
    untranslated = run("msgattrib", "--untranslated", "--no-obsolete", str(PO)).strip()
    fuzzy = run("msgattrib", "--only-fuzzy", "--no-obsolete", str(PO)).strip()
    if untranslated:
        problems.append("untranslated entries:\n" + untranslated[:3000])
    if fuzzy:
        problems.append("fuzzy entries:\n" + fuzzy[:3000])
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        run("msgfmt", "--check", "-o", str(fresh), str(PO))
        with fresh.open("rb") as a, MO.open("rb") as b:
            if gettext.GNUTranslations(a)._catalog != gettext.GNUTranslations(b)._catalog:
                problems.append("django.mo is stale: run `make messages`")
    for problem in problems:
        print(f"check-messages: {problem}", file=sys.stderr)
    if not problems:
        print("check-messages: catalogue complete and compiled")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
