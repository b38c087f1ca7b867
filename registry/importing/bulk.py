"""Writing many records at once, each with its history row (django-simple-history's format).

On PostgreSQL rows go in with COPY (keys drawn from the table's sequence first) and updates
through a temporary table, which is what lets a county's 55,000 children import in seconds.
Elsewhere (SQLite, the laptop default) simple-history's bulk helpers do the same, slower.
Callers validate first: nothing here checks a rule.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

BATCH = 2000


def insert_with_history(objs: list, model, *, by, reason: str) -> None:
    """Insert ``objs`` with a "created" history row each, in batches: the path for databases
    other than PostgreSQL (where ``StreamingInsert`` sends them while the rows are checked)."""
    bulk_create_with_history(
        objs, model, batch_size=BATCH, default_user=by, default_change_reason=reason
    )


def update_with_history(objs: list, model, *, fields: list[str], by, reason: str) -> None:
    """Save ``fields`` of ``objs`` and give each a "changed" history row."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        # CASE WHEN grows with the batch squared: small batches are much faster here.
        bulk_update_with_history(
            objs, model, fields=fields, batch_size=200, default_user=by,
            default_change_reason=reason,
        )  # fmt: skip
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    table = meta.db_table
    temp = f"import_{table}"
    quoted = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    create = (
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {quoted(meta.pk.column)}, {', '.join(quoted(f.column) for f in columns)} "
        f"FROM {quoted(table)} LIMIT 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(create)
    _copy(
        temp,
        [meta.pk.column, *(f.column for f in columns)],
        ([o.pk, *(_db(f, o) for f in columns)] for o in objs),
    )
    assignments = ", ".join(f"{quoted(f.column)} = t.{quoted(f.column)}" for f in columns)
    key = quoted(meta.pk.column)
    update = (
        f"UPDATE {quoted(table)} AS c SET {assignments} "  # noqa: S608
        f"FROM {temp} AS t WHERE c.{key} = t.{key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(update)
        cursor.execute(f"DROP TABLE {temp}")
    _history(objs, model, by=by, reason=reason, kind="~")


# Values psycopg adapts as they are: no need for Django's per-value preparation, which costs
# more than the COPY itself at 55,000 rows.
_PLAIN = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField",
    "DateTimeField", "ForeignKey", "IntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip


def _db(field, obj):
    value = getattr(obj, field.attname)
    if field.get_internal_type() in _PLAIN:
        return value
    return field.get_db_prep_save(value, connection)


def _copy(table: str, columns: list[str], rows) -> None:
    quoted = connection.ops.quote_name
    sql = f"COPY {quoted(table)} ({', '.join(quoted(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _history(objs: list, model, *, by, reason: str, kind: str) -> None:
    """simple-history's rows, copied by the database from the records just written (the same
    columns, then who, when, why and what kind): nothing to format or send from Python."""
    if not objs:
        return
    history = model.history.model
    extra = ("history_date", "history_change_reason", "history_type", "history_user_id")
    tracked = [
        f.column
        for f in history._meta.concrete_fields
        if f.name != "history_id" and f.attname not in extra
    ]
    quoted = connection.ops.quote_name
    columns = ", ".join(quoted(c) for c in tracked)
    key = quoted(model._meta.pk.column)
    insert = (
        f"INSERT INTO {quoted(history._meta.db_table)} "  # noqa: S608 — names from the models
        f"({columns}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, %s, %s, %s FROM {quoted(model._meta.db_table)} "
        f"WHERE {key} = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            insert,
            [timezone.now(), reason, kind, by.pk if by is not None else None, [o.pk for o in objs]],
        )


class StreamingInsert:
    """New records sent to PostgreSQL by COPY as they are checked, one by one: the server
    stores and indexes each on its own core while Python checks the next. Used inside the
    import's transaction, which is rolled back if a later row turns out to be wrong."""

    def __init__(self, model, *, count: int, by, reason: str, stamp):
        self.model, self.by, self.reason, self.stamp = model, by, reason, stamp
        meta = model._meta
        self.relations = [f for f in meta.concrete_fields if f.is_relation]
        self.names = [f.attname for f in meta.concrete_fields]
        self.objs: list = []
        self.cursor = connection.cursor()
        self.cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        # Foreign keys checked as each row arrives, on the server's core, rather than all at
        # commit (their parents, new villages included, are already written).
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        self.keys = iter([key for (key,) in self.cursor.fetchall()])
        quoted = connection.ops.quote_name
        columns = ", ".join(quoted(f.column) for f in meta.concrete_fields)
        self._copy_cm = self.cursor.cursor.copy(
            f"COPY {quoted(meta.db_table)} ({columns}) FROM STDIN"
        )
        self.copy = self._copy_cm.__enter__()

    def add(self, obj) -> None:
        self.stamp(obj)
        obj.pk = next(self.keys)
        values = obj.__dict__
        for field in self.relations:
            if values.get(field.attname) is None:
                related = field.get_cached_value(obj, None)
                if related is not None:
                    values[field.attname] = related.pk
        self.copy.write_row([values[name] for name in self.names])
        self.objs.append(obj)

    def close(self) -> None:
        """End the COPY (before the connection runs anything else)."""
        if self.copy is not None:
            self._copy_cm.__exit__(None, None, None)
            self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self.cursor.close()
            self.copy = None

    def abort(self, exc: BaseException) -> None:
        """End the COPY with an error, so the connection can roll the transaction back."""
        if self.copy is not None:
            self.copy = None
            try:
                self._copy_cm.__exit__(type(exc), exc, exc.__traceback__)
            finally:
                self.cursor.close()

    def finish(self) -> list:
        """Write the history rows of the records inserted, and return them."""
        self.close()
        _history(self.objs, self.model, by=self.by, reason=self.reason, kind="+")
        return self.objs
