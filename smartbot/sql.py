"""Plain-SQL helpers for the chat's hot path, where the ORM's query compilation was most of the CPU.

The chat answers a thousand candidates on two cores; profiling showed Django
compiling the same five statements for every answer (``docs/benchmarks.md``).
These helpers run fixed statements through Django's own connection, so
transactions, ``on_commit`` hooks and the test database work as usual, and
values are prepared by the model fields themselves (JSON, time zones), as the
ORM would. PostgreSQL and SQLite only (the two databases the project runs on).

Only the measured chat paths use them: ``chat.statements`` (a candidate's turn,
the first open, a disconnect), the answer insert of that turn
(``screening.services.response_submit_answer(new=True)``) and the pending
evaluation its last answer writes (``evaluation_request``). Everything else is
the ORM; a new caller needs a benchmark that asks for it.
"""

from __future__ import annotations

from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def lock_clause(alias: str) -> str:
    """``FOR UPDATE OF alias`` where the database has row locks (SQLite locks the whole database on write)."""
    return f" FOR UPDATE OF {alias}" if connection.features.has_select_for_update_of else ""


def id_list_agg(column: str) -> str:
    """An aggregate of integer ids as one comma-separated string (``ids_of`` reads it back)."""
    if is_postgresql():
        return f"string_agg({column}::text, ',')"
    return f"group_concat({column})"


def ids_of(value) -> set[int]:
    return {int(item) for item in str(value).split(",")} if value else set()


def _insert_sql(meta, objs: list, suffix: str = "") -> tuple[str, list]:
    # Every concrete column but an auto primary key, with ``pre_save`` (auto_now_add) and the fields' own
    # preparation, as the ORM's insert does.
    fields = [f for f in meta.local_concrete_fields if not (f.primary_key and f.auto_created)]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(f.column for f in fields)}) "  # noqa: S608 (names from meta)
        f"VALUES {', '.join([row] * len(objs))}{suffix} RETURNING {meta.pk.column}"
    )
    return sql, params


def _saved(obj, pk) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert(objs: list, *, along: tuple = ()) -> list:
    """INSERT unsaved instances of one model in one statement and set their primary keys (like ``bulk_create``).

    ``along``: other writes of the same transaction, each ``Insert`` (one unsaved instance, whose key is set too)
    or ``Update``, run before this INSERT. On PostgreSQL they ride in the same statement as data-modifying
    ``WITH`` clauses (one round trip, one statement for the server to parse); on SQLite they run one by one.
    """
    if not objs:
        for write in along:
            write.run()
        return objs
    sql, params = _insert_sql(objs[0]._meta, objs)
    extra = ""
    if along and is_postgresql():
        clauses, prefix = [], []
        for i, write in enumerate(along):
            clause, clause_params = write.statement()
            clauses.append(f"w{i} AS ({clause})")
            prefix += clause_params
            extra += f", (SELECT {write.key} FROM w{i})" if isinstance(write, Insert) else ""  # noqa: S608 (meta)
        sql, params = f"WITH {', '.join(clauses)} {sql}{extra}", [*prefix, *params]
    else:
        for write in along:
            write.run()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Both databases return the rows of a multi-row VALUES insert in order (Django's bulk_create relies on it).
    for obj, row in zip(objs, rows, strict=True):
        _saved(obj, row[0])
    if extra:
        inserted = [write for write in along if isinstance(write, Insert)]
        for write, pk in zip(inserted, rows[0][1:], strict=True):
            _saved(write.obj, pk)
    return objs


class Insert:
    """One unsaved instance to INSERT ``along`` another statement (``insert``)."""

    def __init__(self, obj):
        self.obj = obj
        self.key = obj._meta.pk.column

    def statement(self) -> tuple[str, list]:
        return _insert_sql(self.obj._meta, [self.obj])

    def run(self) -> None:
        insert([self.obj])


class Update:
    """An UPDATE of one row by primary key (``update``'s arguments) to run ``along`` another statement."""

    def __init__(self, model, pk: int, **values):
        self.model, self.pk, self.values = model, pk, values

    def statement(self) -> tuple[str, list]:
        return _update_sql(self.model, self.pk, **self.values)

    def run(self) -> None:
        update(self.model, self.pk, **self.values)


def insert_if_new(obj) -> bool:
    """INSERT one unsaved instance unless it would break a unique constraint; True if it was inserted."""
    sql, params = _insert_sql(obj._meta, [obj], " ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(obj, row[0])
    return True


def _update_sql(model, pk: int, **values) -> tuple[str, list]:
    meta = model._meta
    columns = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{c.column} = %s" for c in columns)
    params = [c.get_db_prep_save(v, connection) for c, v in zip(columns, values.values(), strict=True)]
    sql = f"UPDATE {meta.db_table} SET {assignments} WHERE {meta.pk.column} = %s"  # noqa: S608 (names from meta)
    return sql, [*params, pk]


def update(model, pk: int, **values) -> None:
    """UPDATE one row by primary key; ``values`` are attribute names and Python values."""
    sql, params = _update_sql(model, pk, **values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
