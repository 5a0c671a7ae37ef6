"""Backup and restore of a whole instance in one zip archive: every row of every model and every file of
the default storage that the rows refer to (``manage.py backup`` / ``manage.py restore``).

Archive layout (format ``ita-portal-backup``, version 1)::

    data/<app_label>.<model_name>.jsonl   one row a line: Django's "python" serialization as JSON, with
                                          the primary key (ids stay the same, so links keep working)
    files/<storage name>                  the bytes of a file, read through the storage API only
    manifest.json                         written last: the migrations the data belongs to, the row count
                                          and sha256 of every data member, the size and sha256 of every file
    manifest.sig                          HMAC-SHA256 of manifest.json under BACKUP_KEY (else SECRET_KEY):
                                          ``restore`` refuses an archive whose signature fails unless
                                          ``trust_unsigned`` (core/backup_signing.py)

- Every concrete model of every installed app is archived, including the tables Django creates for
  many-to-many fields (as tables of their own), the simple-history and django-axes tables, content types
  and permissions. Left out: ``sessions.Session`` (everyone signs in again after a restore).
- Rows are streamed model by model (``QuerySet.iterator``) and line by line, so memory stays bounded.
  The tables are read inside one transaction (REPEATABLE READ on PostgreSQL): one consistent state.
- Portable: the data part is the same JSON on SQLite and PostgreSQL. Content types and permissions keep
  their ids too: a restore empties every table first (also the ones ``migrate`` filled) and loads them.
- Files: the names held by every FileField, by the file fields of the history tables (when the file is
  still there: a removed evidence file is deleted with it) and the emblem named in a document's frozen
  snapshot. Read and written only through the storage API (``default_storage``), so an object store works.
- ``restore`` checks the whole archive against its manifest (row counts, sha256) before it touches
  anything, refuses a database whose migrations differ from the archive's, and refuses a non-empty
  database unless ``force``. Then, in one transaction: empty every table, load the rows (raw batch inserts:
  the archived values, no model signals, so no history rows), reset the PostgreSQL sequences, check the
  foreign keys, write the files, invalidate the public page cache. Any error rolls the database back as
  it was (files written by then stay: new names, or the archive's content under its own name).
"""
from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import json
import os
import time
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.utils import validate_file_name
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.core.serializers import base as serializers_base
from django.core.serializers import python as python_serializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

from .backup_signing import SIGNATURE, sign, signature_problem

FORMAT = "ita-portal-backup"
VERSION = 1
MANIFEST = "manifest.json"
# Left out of the archive; a restore leaves them empty.
EXCLUDED_MODELS = {"sessions.session": "signed-in sessions (everyone signs in again after a restore)"}
# Tables that `migrate` fills: present in an "empty" database, replaced by the archive's rows.
MIGRATE_FILLED = {"contenttypes.contenttype", "auth.permission"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (nothing was changed)."""


@dataclass
class Summary:
    path: str
    models: int = 0
    rows: int = 0
    files: int = 0
    file_bytes: int = 0
    archive_bytes: int = 0
    seconds: float = 0.0
    missing_files: list = field(default_factory=list)  # [{"name", "referenced_by"}] of live rows
    missing_history_files: int = 0  # names only history rows still hold (their file was deleted)
    files_unchanged: int = 0  # restore: already in the storage with the same content
    created_at: str = ""


# --- what is archived ---------------------------------------------------------------------------------

def archived_models(using: str = DEFAULT_DB_ALIAS) -> list:
    """Every concrete model with a table of its own in ``using``, in registry order (apps, then models),
    including the auto-created many-to-many tables; without EXCLUDED_MODELS."""
    result = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy or not opts.managed or opts.label_lower in EXCLUDED_MODELS:
            continue
        if router.allow_migrate_model(using, model):
            result.append(model)
    return result


def _file_fields(model) -> list[tuple[str, bool]]:
    """(attname, live) of the fields of ``model`` that hold names of files in the default storage. A
    history table (django-simple-history) holds the names of its tracked model's FileFields as text."""
    fields = []
    for f in model._meta.local_concrete_fields:
        if isinstance(f, FileField):
            if f.storage is not default_storage:
                raise BackupError(f"{model._meta.label}.{f.name} uses a storage other than the default storage; "
                                  "the backup reads and writes the default storage only.")
            fields.append((f.attname, True))
    tracked = getattr(model, "instance_type", None)
    if tracked is not None and hasattr(model, "history_object"):
        names = {f.attname for f in model._meta.local_concrete_fields}
        for f in tracked._meta.local_concrete_fields:
            if isinstance(f, FileField) and f.attname in names:
                fields.append((f.attname, False))
    return fields


def _snapshot_files(model, obj) -> list[str]:
    """Files named inside frozen JSON: the emblem a document had at approval (reports.documents.data
    build_document_data), which stays in the storage when the organisation changes its emblem."""
    if model._meta.label_lower != "reports.document" or not isinstance(obj.snapshot, dict):
        return []
    organisation = obj.snapshot.get("organisation")
    emblem = organisation.get("emblem") if isinstance(organisation, dict) else None
    return [emblem] if isinstance(emblem, str) and emblem else []


# --- serialization ----------------------------------------------------------------------------------

class _Encoder(json.JSONEncoder):
    """Full precision (DjangoJSONEncoder cuts datetimes to milliseconds)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
            return o.isoformat()
        if isinstance(o, decimal.Decimal):
            return str(o)
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        if isinstance(o, (uuid.UUID, Promise)):
            return str(o)
        return super().default(o)


class _RowSerializer(python_serializer.Serializer):
    """Django's python serializer, one row at a time to ``on_row`` instead of a list of every row.
    Many-to-many values are not written here: their tables are archived as models of their own."""

    def __init__(self, on_row):
        self.on_row = on_row

    def end_object(self, obj):
        self.on_row(obj, self.get_dump_object(obj))
        self._current = None

    def handle_m2m_field(self, obj, field):
        pass


def _member_info(name: str, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    return info


def _data_member(model) -> str:
    return f"data/{model._meta.label_lower}.jsonl"


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """{app label: [migration names]} of the migrations applied to the database."""
    applied = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- backup -----------------------------------------------------------------------------------------

def backup(path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS, log=None) -> Summary:
    """Write the archive to ``path`` (through ``<path>.partial``, renamed when complete)."""
    log = log or (lambda message, level=1: None)
    started = time.monotonic()
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists already; choose another name or add --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"The directory {path.parent} does not exist.")
    partial = path.with_name(path.name + ".partial")
    summary = Summary(path=str(path))
    try:
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            manifest = _write_archive(zf, summary, using, log)
        summary.archive_bytes = partial.stat().st_size
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    summary.created_at = manifest["created_at"]
    summary.seconds = time.monotonic() - started
    return summary


def _write_archive(zf: zipfile.ZipFile, summary: Summary, using: str, log) -> dict:
    connection = connections[using]
    models = archived_models(using)
    references: dict[str, tuple[bool, str]] = {}  # name -> (referenced by a live row, first referrer)
    entries = []

    def refer(name, live, referrer):
        if not isinstance(name, str) or not name:
            return
        known = references.get(name)
        if known is None or (live and not known[0]):
            references[name] = (live, referrer)

    outer = connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:  # one consistent state of every table
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        created_at = timezone.now().isoformat()
        migrations = applied_migrations(using)
        for model in models:
            label = model._meta.label_lower
            file_fields = _file_fields(model)
            member = _data_member(model)
            hasher = hashlib.sha256()
            count = 0
            with zf.open(_member_info(member, compress=True), "w", force_zip64=True) as out:
                buffer = io.BytesIO()

                def on_row(obj, row, out=out, buffer=buffer, hasher=hasher, model=model, label=label,
                           file_fields=file_fields):
                    nonlocal count
                    line = json.dumps(row, cls=_Encoder, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                    hasher.update(line)
                    buffer.write(line)
                    if buffer.tell() >= CHUNK:
                        out.write(buffer.getvalue())
                        buffer.seek(0)
                        buffer.truncate()
                    count += 1
                    for attname, live in file_fields:
                        value = getattr(obj, attname)
                        refer(getattr(value, "name", value) or "", live, f"{label}.{attname}")
                    for name in _snapshot_files(model, obj):
                        refer(name, True, f"{label}.snapshot")

                rows = model._base_manager.using(using).order_by(model._meta.pk.name).iterator(chunk_size=2000)
                _RowSerializer(on_row).serialize(rows)
                out.write(buffer.getvalue())
            entries.append({"model": label, "member": member, "rows": count, "sha256": hasher.hexdigest()})
            summary.models += 1
            summary.rows += count
            log(f"  {label}: {count} rows", 2)

    files = _write_files(zf, references, summary, log)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": created_at,
        "database": connection.vendor,
        "migrations": migrations,
        "excluded_models": sorted(EXCLUDED_MODELS),
        "models": entries,
        "files": files,
        "missing_files": summary.missing_files,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    zf.writestr(_member_info(MANIFEST, compress=True), manifest_bytes)
    zf.writestr(_member_info(SIGNATURE, compress=True), sign(manifest_bytes))
    return manifest


def _write_files(zf: zipfile.ZipFile, references: dict, summary: Summary, log) -> list[dict]:
    storage = default_storage
    files = []
    for name in sorted(references):
        live, referrer = references[name]
        try:
            validate_file_name(name, allow_relative_path=True)
            exists = storage.exists(name)
        except Exception:  # noqa: BLE001 - a name the storage refuses cannot be a stored file
            exists = False
        if not exists:
            if live:
                summary.missing_files.append({"name": name, "referenced_by": referrer})
            else:
                summary.missing_history_files += 1
            continue
        member = f"files/{name}"
        hasher = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as src, zf.open(_member_info(member, compress=False), "w",
                                                       force_zip64=True) as out:
            while chunk := src.read(CHUNK):
                hasher.update(chunk)
                size += len(chunk)
                out.write(chunk)
        files.append({"name": name, "member": member, "size": size, "sha256": hasher.hexdigest()})
        summary.files += 1
        summary.file_bytes += size
        log(f"  {name}: {size} bytes", 3)
    return files


# --- reading an archive -------------------------------------------------------------------------------

def _open_archive(path) -> zipfile.ZipFile:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a complete backup archive (not a zip file, or truncated): {exc}. "
                          "Nothing was changed.") from exc


def _read_manifest(zf: zipfile.ZipFile, path) -> dict:
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{path} is not an ITA Portal backup (it has no {MANIFEST}). Nothing was changed.") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise BackupError(f"The manifest of {path} is damaged ({exc}). Nothing was changed.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not an ITA Portal backup (unknown manifest format). Nothing was changed.")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{path} is a backup of format version {manifest.get('version')}; this release reads "
                          f"version {VERSION}. Nothing was changed.")
    for key, kind in (("models", list), ("files", list), ("migrations", dict)):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"The manifest of {path} has no {key}. Nothing was changed.")
    return manifest


class _HashingReader:
    """A read-only stream that hashes what is read through it (no seek: File.chunks reads it once)."""

    def __init__(self, raw):
        self.raw = raw
        self.hasher = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        data = self.raw.read(n)
        self.hasher.update(data)
        self.size += len(data)
        return data


def _hash_member(zf: zipfile.ZipFile, member: str) -> tuple[str, int, int]:
    """(sha256, bytes, lines) of a member; zipfile checks its CRC while reading."""
    hasher = hashlib.sha256()
    size = lines = 0
    with zf.open(member) as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return hasher.hexdigest(), size, lines


def _check_signature(zf: zipfile.ZipFile, path, trust_unsigned: bool) -> None:
    try:
        signature = zf.read(SIGNATURE)
    except KeyError:
        signature = None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise BackupError(f"The signature of {path} is damaged ({exc}). Nothing was changed.") from exc
    problem = signature_problem(zf.read(MANIFEST), signature)
    if problem and not trust_unsigned:
        raise BackupError(f"{path} is refused: {problem}. Restore it only if you know where it comes from, with "
                          "--trust-unsigned. Nothing was changed.")


def verify_archive(path, *, trust_unsigned: bool = False) -> dict:
    """Check the manifest's signature (unless ``trust_unsigned``) and every member of the archive against
    the manifest; return the manifest. Raises BackupError listing what is damaged or missing."""
    zf = _open_archive(path)
    with zf:
        manifest = _read_manifest(zf, path)
        _check_signature(zf, path, trust_unsigned)
        names = set(zf.namelist())
        problems = []
        seen = set()
        for entry in manifest["models"]:
            label, member = entry.get("model"), entry.get("member")
            if not isinstance(label, str) or member != f"data/{label}.jsonl" or label in seen:
                problems.append(f"bad model entry in the manifest: {entry!r}")
                continue
            seen.add(label)
            problems += _check_member(zf, names, member, entry, lines=entry.get("rows"))
        seen = set()
        for entry in manifest["files"]:
            name, member = entry.get("name"), entry.get("member")
            try:
                validate_file_name(name, allow_relative_path=True)
                if member != f"files/{name}" or name in seen:
                    raise ValueError
            except Exception:  # noqa: BLE001
                problems.append(f"bad file entry in the manifest: {entry!r}")
                continue
            seen.add(name)
            problems += _check_member(zf, names, member, entry, size=entry.get("size"))
    if problems:
        shown = "\n  - ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BackupError(f"{path} is damaged; nothing was changed:\n  - {shown}")
    return manifest


def _check_member(zf, names, member, entry, *, lines=None, size=None) -> list[str]:
    if member not in names:
        return [f"{member} is missing"]
    try:
        digest, actual_size, actual_lines = _hash_member(zf, member)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        return [f"{member} cannot be read ({exc})"]
    if digest != entry.get("sha256"):
        return [f"{member} does not match its sha256 in the manifest"]
    if lines is not None and actual_lines != lines:
        return [f"{member} holds {actual_lines} rows, the manifest says {lines}"]
    if size is not None and actual_size != size:
        return [f"{member} holds {actual_size} bytes, the manifest says {size}"]
    return []


# --- restore ------------------------------------------------------------------------------------------

def non_empty_tables(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """{model label: rows} of the tables that hold data (not counting what `migrate` creates)."""
    counts = {}
    for model in archived_models(using):
        label = model._meta.label_lower
        if label not in MIGRATE_FILLED:
            n = model._base_manager.using(using).count()
            if n:
                counts[label] = n
    return counts


def _check_target(manifest: dict, using: str, force: bool) -> dict:
    """The models of the archive by label; refuses a different schema or (without force) a non-empty db."""
    models = {}
    unknown = []
    for entry in manifest["models"]:
        try:
            models[entry["model"]] = apps.get_model(entry["model"])
        except LookupError:
            unknown.append(entry["model"])
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    here = {(app, name) for app, names in applied_migrations(using).items() for name in names}
    if archived != here or unknown:
        details = []
        if archived - here:
            details.append("not applied here: " + ", ".join(f"{a}.{n}" for a, n in sorted(archived - here)[:10]))
        if here - archived:
            details.append("applied here, not in the backup: "
                           + ", ".join(f"{a}.{n}" for a, n in sorted(here - archived)[:10]))
        if unknown:
            details.append("models unknown here: " + ", ".join(unknown[:10]))
        raise BackupError(
            "The database schema differs from the backup's (" + "; ".join(details) + "). Restore with the release "
            "the backup was made with (migrate an empty database to it), then upgrade. Nothing was changed.")
    if not force:
        filled = non_empty_tables(using)
        if filled:
            listed = ", ".join(f"{label} ({n})" for label, n in list(filled.items())[:8])
            raise BackupError(
                f"The database is not empty ({listed}{', …' if len(filled) > 8 else ''}). Restore into an empty "
                "migrated database, or add --force to replace all its data. Nothing was changed.")
    return models


def _records(zf, entry):
    """The rows of a data member, checked again against the manifest while they are read."""
    hasher = hashlib.sha256()
    count = 0
    label = entry["model"]
    with zf.open(entry["member"]) as fh:
        for line in fh:
            hasher.update(line)
            count += 1
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise BackupError(f"{entry['member']} line {count} is not JSON ({exc}).") from exc
            if not isinstance(record, dict) or record.get("model") != label or "pk" not in record:
                raise BackupError(f"{entry['member']} line {count}: not a row of {label}.")
            yield record
    if hasher.hexdigest() != entry["sha256"] or count != entry["rows"]:
        raise BackupError(f"{entry['member']} changed while it was read.")


def restore(path, *, force: bool = False, trust_unsigned: bool = False, using: str = DEFAULT_DB_ALIAS,
            log=None) -> Summary:
    """Replace the data of the database and add the archive's files to the default storage."""
    log = log or (lambda message, level=1: None)
    started = time.monotonic()
    manifest = verify_archive(path, trust_unsigned=trust_unsigned)
    log(f"The archive is complete: {len(manifest['models'])} tables, {len(manifest['files'])} files "
        f"(backup of {manifest.get('created_at', '?')}).", 1)
    models = _check_target(manifest, using, force)
    connection = connections[using]
    summary = Summary(path=str(path), created_at=manifest.get("created_at", ""))
    content_types = apps.is_installed("django.contrib.contenttypes")
    try:
        with _open_archive(path) as zf, transaction.atomic(using=using):
            connection.ops.execute_sql_flush(sql_flush(no_style(), connection, reset_sequences=True))
            _clear_content_type_cache(content_types)
            for entry in manifest["models"]:
                count = _load_rows(models[entry["model"]], _records(zf, entry), using)
                summary.models += 1
                summary.rows += count
                log(f"  {entry['model']}: {count} rows", 2)
            with connection.cursor() as cursor:  # PostgreSQL: the next id follows the restored ones
                for sql in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                    cursor.execute(sql)
            _add_missing_content_types(using, content_types)
            connection.check_constraints(table_names=[m._meta.db_table for m in models.values()])
            _restore_files(zf, manifest["files"], summary, log)
            _invalidate_public_cache()
    except serializers_base.DeserializationError as exc:
        raise BackupError(f"A row of the archive cannot be loaded ({exc}); the database is unchanged.") from exc
    except DatabaseError as exc:
        raise BackupError(f"The archive's rows cannot be stored in this database ({' '.join(str(exc).split())}); "
                          "the database is unchanged.") from exc
    except BackupError as exc:
        raise BackupError(f"{exc} The database is unchanged.") from exc
    finally:
        _clear_content_type_cache(content_types)
    summary.seconds = time.monotonic() - started
    return summary


def _load_rows(model, records, using: str) -> int:
    """Insert the rows in batches, raw: the values as archived (auto_now fields, ids), no model save(),
    no signals (so no history rows for what is only restored). What Model.save_base(raw=True) does for
    one row, for a batch (the manager's ``_insert``, as bulk_create uses it)."""
    fields = [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]
    manager = model._base_manager.db_manager(using)
    size = max(1, min(500, connections[using].ops.bulk_batch_size(fields, [None] * 500)))
    batch, count = [], 0
    for obj in python_serializer.Deserializer(records, using=using):
        batch.append(obj.object)
        if len(batch) >= size:
            manager._insert(batch, fields=fields, using=using, raw=True)
            count += len(batch)
            batch = []
    if batch:
        manager._insert(batch, fields=fields, using=using, raw=True)
        count += len(batch)
    return count


def _invalidate_public_cache() -> None:
    """The public page cache (core/pagecache.py) notices changes through signals, which the raw inserts do
    not send: new site and catalogue generations make every cached public page (each key holds one of
    the two) unreachable, now and after the commit."""
    from core import datacache, pagecache

    pagecache.bump(catalogue=True)
    datacache.bump(everything=True)  # and the staff pages' data cache (core/datacache.py), all of it


def _clear_content_type_cache(installed: bool) -> None:
    if installed:
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def _add_missing_content_types(using: str, installed: bool) -> None:
    """What `migrate` would create for models the archive does not know (none when the schemas match)."""
    if not installed:
        return
    from django.contrib.contenttypes.management import create_contenttypes

    create_permissions = None
    if apps.is_installed("django.contrib.auth"):
        from django.contrib.auth.management import create_permissions
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        if create_permissions is not None:
            create_permissions(app_config, verbosity=0, using=using)


def _restore_files(zf, files: list[dict], summary: Summary, log) -> None:
    """Write the archive's files under their own names. Files already there with the same content stay;
    new files first, files to replace (same name, other content) last."""
    storage = default_storage
    to_write, to_replace = [], []
    for entry in files:
        name = entry["name"]
        if not storage.exists(name):
            to_write.append(entry)
        elif _storage_sha256(storage, name) == entry["sha256"]:
            summary.files_unchanged += 1
        else:
            to_replace.append(entry)
    replace = {entry["name"] for entry in to_replace}
    for entry in to_write + to_replace:
        name = entry["name"]
        if name in replace:
            storage.delete(name)
        with zf.open(entry["member"]) as fh:
            reader = _HashingReader(fh)
            content = File(reader, name=name)
            content.size = entry["size"]
            saved = storage.save(name, content)
        if reader.hasher.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['member']} changed while it was read.")
        if saved != name:
            storage.delete(saved)
            raise BackupError(f"The storage stored {name} as {saved}; the rows refer to {name}.")
        summary.files += 1
        summary.file_bytes += entry["size"]
        log(f"  {name}", 3)


def _storage_sha256(storage, name: str) -> str:
    hasher = hashlib.sha256()
    with storage.open(name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()
