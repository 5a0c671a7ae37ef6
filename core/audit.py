"""The audit trail no one can rewrite.

- Append-only: database triggers refuse UPDATE and DELETE on the event tables (``AUDITED_TABLES``), on
  PostgreSQL and SQLite alike, whoever sends the SQL. DELETE goes through only inside
  ``sanctioned_removal`` (a whole organisation, a never-submitted draft, the synthetic data set), which
  leaves a ``SanctionedRemoval`` row saying what was removed, by whom and when. Replacing the whole
  database (``flush``: ``restore --force``, the test suite) lifts the triggers for the flush alone.
- Tamper-evident: every event stores the SHA-256 of its content and of the previous event of its document
  (``chain_digest``); ``verify_chains`` (``manage.py verify_audit``) recomputes every chain and names each
  altered, removed or inserted event.
"""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import timezone as dt_timezone

from django.db import transaction

# (table, Django label) of every append-only event table.
AUDITED_TABLES = ["reports_workflowevent"]
GENESIS = "0" * 64


# --- the chain ------------------------------------------------------------------------------------------

def _at_text(at) -> str:
    return at.astimezone(dt_timezone.utc).isoformat(timespec="microseconds")


def chain_digest(fields: dict, prev_hash: str) -> str:
    """SHA-256 of an event's content (a dict of plain values; datetimes as UTC text) and the hash of the
    event before it in its chain."""
    content = {key: (_at_text(value) if hasattr(value, "astimezone") else value) for key, value in fields.items()}
    payload = json.dumps({"content": content, "prev": prev_hash}, ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# --- triggers -------------------------------------------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM core_sanctionedremoval WHERE active) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit trail: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END $$ LANGUAGE plpgsql
"""


def _trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"CREATE TRIGGER audit_{table} BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION audit_append_only()"]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER audit_update_{table} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'audit trail: {table} is append-only (UPDATE refused)'); END",
            f"CREATE TRIGGER audit_delete_{table} BEFORE DELETE ON {table} "
            f"WHEN NOT EXISTS (SELECT 1 FROM core_sanctionedremoval WHERE active) "
            f"BEGIN SELECT RAISE(ABORT, 'audit trail: {table} is append-only (DELETE refused)'); END",
        ]
    return []


def _drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS audit_{table} ON {table}"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS audit_update_{table}", f"DROP TRIGGER IF EXISTS audit_delete_{table}"]
    return []


def install_triggers(conn, tables=None) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        for table in tables or AUDITED_TABLES:
            for sql in _drop_sql(conn.vendor, table) + _trigger_sql(conn.vendor, table):
                cursor.execute(sql)


def drop_triggers(conn, tables=None) -> None:
    with conn.cursor() as cursor:
        for table in tables or AUDITED_TABLES:
            for sql in _drop_sql(conn.vendor, table):
                cursor.execute(sql)


def triggers_present(conn) -> bool:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit_%%'")
        elif conn.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'audit_%%' AND NOT tgisinternal")
        else:
            return False
        return bool(cursor.fetchall())


def flush_lifting_triggers(ops_flush):
    """``DatabaseOperations.execute_sql_flush`` wrapped: the whole database is replaced (restore --force,
    flush, the test suite's teardown), so the triggers step aside for the flush and are put back."""
    def execute_sql_flush(sql_list, _flush=ops_flush):
        conn = _flush.__self__.connection
        with transaction.atomic(using=conn.alias, savepoint=conn.features.can_rollback_ddl):
            present = triggers_present(conn)
            if present:
                drop_triggers(conn)
            _flush(sql_list)
            if present:
                install_triggers(conn)
    return execute_sql_flush


def wrap_flush(sender=None, connection=None, **kwargs) -> None:
    """connection_created: every connection flushes with the triggers lifted (see above)."""
    ops = connection.ops
    if not getattr(ops, "_audit_flush_wrapped", False):
        ops.execute_sql_flush = flush_lifting_triggers(ops.execute_sql_flush)
        ops._audit_flush_wrapped = True


# --- the sanctioned path --------------------------------------------------------------------------------

@contextmanager
def sanctioned_removal(reason: str, *, actor=None, using: str = "default"):
    """Inside: DELETE of audit rows is allowed in this transaction. Yields the ``SanctionedRemoval`` row
    (set ``removed`` to what went); it is kept, inactive, as the record."""
    from .models import SanctionedRemoval

    name = ""
    if actor is not None:
        name = actor.get_full_name().strip() or actor.get_username()
    with transaction.atomic(using=using):
        record = SanctionedRemoval.objects.using(using).create(reason=reason[:500], actor=actor, actor_name=name,
                                                               active=True)
        yield record
        record.active = False
        record.save(using=using)


# --- verifying ------------------------------------------------------------------------------------------

def verify_chains(event_model, using: str = "default") -> tuple[int, int, list[str]]:
    """(chains, events, problems): recompute every document's chain of ``event_model`` rows
    (``reports.WorkflowEvent``: ``document_id``, ``prev_hash``, ``hash``, ``compute_hash()``) in id order."""
    problems, chains, events = [], 0, 0
    previous_document, prev_hash = None, GENESIS
    rows = event_model.objects.using(using).order_by("document_id", "pk").iterator(chunk_size=5000)
    for event in rows:
        if event.document_id != previous_document:
            previous_document, prev_hash = event.document_id, GENESIS
            chains += 1
        events += 1
        if event.prev_hash != prev_hash:
            problems.append(f"document {event.document_id}: event {event.pk} ({event.action}, {_at_text(event.at)}) "
                            "does not follow the event before it: an event was removed or inserted")
        if event.hash != event.compute_hash():
            problems.append(f"document {event.document_id}: event {event.pk} ({event.action}) was changed after "
                            "it was written")
        prev_hash = event.hash
    return chains, events, problems
