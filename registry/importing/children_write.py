"""Writing a checked file of children: new villages, new children with their history rows,
changed children with theirs. Called only by ``run``, inside its transaction.

On PostgreSQL the new children are sent by COPY as each passes the check (``bulk.
StreamingInsert``), so that the server stores and indexes them on the other core while
Python checks the next rows; a row found wrong later rolls the whole transaction back.
Elsewhere they are inserted in batches at the end.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.importing import bulk
from registry.importing.report import ImportReport, Progress
from registry.models import Child, Village, child_rules

# The record's columns an import writes: the clerk's fields, the county their school brings,
# and who changed it when.
UPDATED_FIELDS = [*child_rules.ENTERED, "county", "updated_by", "updated_at"]


class ChildWriter:
    def __init__(self, *, by, progress: Progress):
        self.by, self.progress = by, progress
        self.now = timezone.now()
        self.reason = _("Imported from a file")
        self.villages: list[Village] = []
        self.villages_written = False
        self.stream: bulk.StreamingInsert | None = None
        self.to_create: list[Child] = []
        self.to_update: list[Child] = []
        self.report: ImportReport | None = None

    def open(self, *, new_villages: list[Village], count: int) -> None:
        """Before the first new child: the new villages are written (the children's foreign
        keys are checked as they arrive) and, on PostgreSQL, the COPY begins."""
        self.villages = new_villages
        if not count or connection.vendor != "postgresql":
            return
        self._write_villages()
        self.stream = bulk.StreamingInsert(
            Child, count=count, by=self.by, reason=self.reason, stamp=self._stamp_new
        )

    def add(self, child: Child) -> None:
        """A new child that passed the check."""
        if self.stream is not None:
            self.stream.add(child)

    def abort(self, exc: BaseException) -> None:
        if self.stream is not None:
            self.stream.abort(exc)
            self.stream = None

    def close(self) -> None:
        """The last new child is in: end the COPY (the connection is needed for other
        statements)."""
        if self.stream is not None:
            self.stream.close()

    def plan(self, *, to_create: list, to_update: list, report: ImportReport) -> None:
        """Every row checked: what remains to write."""
        self.close()
        self.to_create, self.to_update, self.report = to_create, to_update, report

    def finish(self) -> None:
        """Write what was not streamed, every history row; the report gets the keys."""
        self._write_villages()
        total = len(self.to_create) + len(self.to_update)
        if self.stream is not None:
            self.stream.finish()
        else:
            for child in self.to_create:
                self._stamp_new(child)
            for start in range(0, len(self.to_create), bulk.BATCH * 5):
                batch = self.to_create[start : start + bulk.BATCH * 5]
                bulk.insert_with_history(batch, Child, by=self.by, reason=self.reason)
                self.progress("writing", start + len(batch), total)
        self.progress("writing", len(self.to_create), total)
        for child in self.to_update:
            child.village = child.village  # a new village now has its key
            child.updated_by, child.updated_at = self.by, self.now
        bulk.update_with_history(
            self.to_update, Child, fields=UPDATED_FIELDS, by=self.by, reason=self.reason
        )
        self.progress("writing", total, total)
        self.report.created = [c.pk for c in self.to_create]
        self.report.updated = [c.pk for c in self.to_update]

    def _stamp_new(self, obj) -> None:
        obj.created_by = obj.updated_by = self.by
        obj.created_at = obj.updated_at = self.now

    def _write_villages(self) -> None:
        if self.villages_written:
            return
        self.villages_written = True
        for village in self.villages:
            self._stamp_new(village)
        Village.objects.bulk_create(self.villages, batch_size=bulk.BATCH)
