"""Rows written fast for seed_scale (demo/scale.py): COPY on PostgreSQL (from a second thread on the
same connection and transaction), executemany on SQLite; ids allocated past each table's highest id."""
from __future__ import annotations

import io
import json
import queue
import threading
import time
from datetime import date, datetime
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


class ScaleError(Exception):
    pass


class JsonText(str):
    """A value already serialised as JSON."""


def _copy_escape(text: str) -> str:
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str or kind is JsonText:
        return _copy_escape(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    if kind is date or kind is Decimal:
        return str(value)
    if isinstance(value, str):  # a TextChoices member
        return _copy_escape(str(value))
    raise TypeError(f"cannot COPY {value!r}")


class Table:
    """Rows of one table: ``add`` takes the values of ``columns`` (attnames) in order; every other
    concrete field gets its default."""

    def __init__(self, writer, model, columns):
        self.writer = writer
        self.model = model
        self.columns = list(columns)
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in by_attname]
        if unknown:
            raise ScaleError(f"{model.__name__}: unknown columns {unknown}")
        self.fields = [by_attname[c] for c in self.columns]
        self.rest = [f for f in model._meta.concrete_fields if f.attname not in self.columns]
        self.rest_values = [self._default(f) for f in self.rest]
        all_fields = self.fields + self.rest
        self.sql_columns = ", ".join(connection.ops.quote_name(f.column) for f in all_fields)
        self.copy_suffix = "".join("\t" + _copy_value(v) for v in self.rest_values)
        self.rows: list[tuple] = []
        self.count = 0

    def _default(self, f):
        if isinstance(f, models.JSONField):
            return JsonText(json.dumps(f.get_default()))
        value = f.get_default()
        if isinstance(value, Decimal):
            return value
        if value is None and not f.null:
            raise ScaleError(f"{self.model.__name__}.{f.name} needs a value")
        return value

    def add(self, *values):
        self.rows.append(values)

    def flush(self):
        if not self.rows:
            return
        if self.writer.postgres:
            suffix = self.copy_suffix
            data = "".join("\t".join(map(_copy_value, row)) + suffix + "\n" for row in self.rows)
            self.writer.copier.send(
                f"COPY {connection.ops.quote_name(self.model._meta.db_table)} ({self.sql_columns}) FROM STDIN", data)
        else:
            fields = self.fields + self.rest
            params = [
                [self.writer.adapt(f, v) for f, v in zip(fields, row + tuple(self.rest_values))]
                for row in self.rows
            ]
            placeholders = ", ".join(["%s"] * len(fields))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(self.model._meta.db_table)} ({self.sql_columns}) "
                    f"VALUES ({placeholders})", params)
        self.count += len(self.rows)
        self.rows = []


class Writer:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        if connection.vendor not in ("postgresql", "sqlite"):
            raise ScaleError("seed_scale supports PostgreSQL and SQLite")
        self.tables: list[Table] = []
        self.next_ids: dict = {}
        self.copier = Copier() if self.postgres else None

    def table(self, model, columns) -> Table:
        t = Table(self, model, columns)
        self.tables.append(t)
        return t

    def ids(self, model) -> "IdRange":
        """Ids after the highest ever given (the table's maximum and its sequence), so that no id of a
        deleted row (e.g. by --reset) is given again."""
        if model not in self.next_ids:
            top = model._base_manager.aggregate(m=Max("pk"))["m"] or 0
            table = model._meta.db_table
            with connection.cursor() as cursor:
                if self.postgres:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
                    (sequence,) = cursor.fetchone()
                    if sequence:
                        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                        last, called = cursor.fetchone()
                        top = max(top, last if called else last - 1)
                else:
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    top = max(top, row[0] if row else 0)
            self.next_ids[model] = IdRange(top + 1)
        return self.next_ids[model]

    @staticmethod
    def adapt(f, value):
        ops = connection.ops
        if value is None or isinstance(value, (JsonText, bool, int)):
            return value
        if isinstance(value, str):
            return str(value)
        if isinstance(value, datetime):
            return ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return ops.adapt_datefield_value(value)
        if isinstance(value, Decimal):
            return ops.adapt_decimalfield_value(value, f.max_digits, f.decimal_places)
        return value

    def flush(self):
        for t in self.tables:
            t.flush()

    def finish(self):
        if self.postgres:
            self.copier.finish()

    def reset_sequences(self):
        """PostgreSQL: the sequences move on past the ids given here (SQLite's AUTOINCREMENT does it itself)."""
        if not self.postgres:
            return
        models_ = list({t.model for t in self.tables})
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)


class Copier:
    """Runs the COPY statements of PostgreSQL one after the other in a second thread, on the same database
    connection (and so in the same transaction), while the main thread builds the next batch: the
    database parses and indexes one batch while Python writes the next. At most a few batches wait."""

    def __init__(self):
        self.raw = connection.connection  # the psycopg2 connection of this thread's Django connection
        self.jobs = queue.Queue(maxsize=24)
        self.error = None
        self.busy = 0.0
        self.thread = threading.Thread(target=self._run, name="seed_scale-copy", daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is not None:
                continue
            sql, data = job
            started = time.monotonic()
            try:
                with self.raw.cursor() as cursor:
                    cursor.copy_expert(sql, io.StringIO(data), size=1 << 20)
            except Exception as exc:  # reported by the main thread
                self.error = exc
            self.busy += time.monotonic() - started

    def send(self, sql, data):
        self._raise()
        self.jobs.put((sql, data))

    def finish(self):
        self.jobs.put(None)
        self.thread.join()
        self._raise()

    def _raise(self):
        if self.error is not None:
            raise ScaleError(f"COPY failed: {self.error}") from self.error


class IdRange:
    def __init__(self, start):
        self.next = start

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value
