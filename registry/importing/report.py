"""What an import found and did: its errors line by line and its counts (the preview, the
command's output and the job's stored result)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

# (stage, rows done, rows in all): "reading", "checking", "writing".
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class RowError:
    line: int
    field: str  # the column as the file names it
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    new_towns: list[str] = field(default_factory=list)
    new_villages: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    written: bool = False
    # Every error counts; only the first ``IMPORT_MAX_ERRORS`` are kept (a million bad rows would
    # otherwise be a million objects in the worker and in the stored preview).
    error_count: int = 0
    # Warnings do not stop the import (a suspected duplicate: ``registry.duplicates``); kept
    # like the errors, the first ``IMPORT_MAX_ERRORS`` of them.
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.errors

    @property
    def more_errors(self) -> int:
        """Errors found beyond those kept in ``errors``."""
        return max(0, self.error_count - len(self.errors))

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < settings.IMPORT_MAX_ERRORS:
            self.errors.append(error)

    def add_warning(self, warning: RowError) -> None:
        self.warning_count += 1
        if len(self.warnings) < settings.IMPORT_MAX_ERRORS:
            self.warnings.append(warning)

    @property
    def more_warnings(self) -> int:
        return max(0, self.warning_count - len(self.warnings))

    def summary(self) -> str:
        return _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
        ) % {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k not in ("errors", "warnings")}
        data["errors"] = [[e.line, e.field, e.message] for e in self.errors]
        data["warnings"] = [[e.line, e.field, e.message] for e in self.warnings]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = dict(data)
        errors = [RowError(*e) for e in data.pop("errors", [])]
        warnings = [RowError(*e) for e in data.pop("warnings", [])]
        data["error_count"] = max(data.get("error_count", 0), len(errors))
        data["warning_count"] = max(data.get("warning_count", 0), len(warnings))
        return cls(**data, errors=errors, warnings=warnings)
