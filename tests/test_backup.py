"""`manage.py backup FILE` / `manage.py restore FILE` (core/backup.py): the database and the files together.

The round trip builds a populated instance with the factories and the workflow services (users with password
hashes, groups and permissions, memberships with divisions, the ITA catalogue and a result, measures with
their many-to-many links and steps, history rows, a document approved, published with its stored PDF,
withdrawn and revised, a memo, evidence files and links, an old and a new emblem, admin log, axes and
reminder rows), backs it up, wipes it (flush + every file deleted), restores it, and compares every column of
every row of every table and the sha256 of every file in the storage before and after. The tests commit
for real (``transaction=True``): the restore runs its own transaction, as in production, and PostgreSQL
sequences are only meaningful outside a test transaction. CI runs this file on SQLite and PostgreSQL.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import override_settings
from PIL import Image

from core import backup as backup_module
from core import pagecache
from core.backup_signing import SIGNATURE, sign
from ita.models import AssessmentResult, AssessmentYear, IndicatorScore, OITItem, OITItemScore, Tool, ToolScore
from measures.models import Measure
from orgs.models import Division, Membership, Organisation
from reports.entries import services as entry_services
from reports.models import Document, DocumentStatus, Evidence, Memo, SentReminder
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]

POSTGRES = connection.vendor == "postgresql"


# --- what is compared -----------------------------------------------------------------------------

def table_models():
    """Every model with a table of its own (the auto-created many-to-many tables too)."""
    return [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed]


def all_rows() -> dict[str, list[dict]]:
    """Every column of every row of every table, by model label (independent of core.backup)."""
    return {m._meta.label_lower: list(m._base_manager.order_by("pk").values()) for m in table_models()}


def all_files(storage=None, path="") -> dict[str, str]:
    """{name: sha256} of every file in the storage, listed and read through the storage API."""
    storage = storage or default_storage
    found = {}
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return found
    for name in files:
        full = f"{path}/{name}" if path else name
        with storage.open(full, "rb") as fh:
            found[full] = hashlib.sha256(fh.read()).hexdigest()
    for name in dirs:
        found.update(all_files(storage, f"{path}/{name}" if path else name))
    return found


def wipe():
    """What a lost server leaves: an empty migrated database and an empty storage."""
    call_command("flush", interactive=False, verbosity=0)
    for name in all_files():
        default_storage.delete(name)
    assert not all_files()
    assert not User.objects.exists() and not Document.objects.exists()


def png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, "PNG")
    return buffer.getvalue()


def upload(colour, name="photo.png"):
    return SimpleUploadedFile(name, png(colour), content_type="image/png")


# --- a populated instance -----------------------------------------------------------------------------

def populate(org_a, org_b, staff_a, approver_a, admin_a, staff_b, *, publish: bool = True) -> dict:
    call_command("load_ita_catalogue", stdout=StringIO())
    root = User.objects.create_superuser("root", "root@example.org", "root-password")
    group = Group.objects.create(name="ผู้ตรวจสอบ")
    group.permissions.set(Permission.objects.filter(codename__in=["view_document", "view_measure"]))
    staff_a.groups.add(group)
    staff_a.user_permissions.add(Permission.objects.get(codename="change_measure"))
    office, finance = Division.objects.filter(organisation=org_a).order_by("order")
    Membership.objects.get(user=staff_a).divisions.set([office, finance])
    org_a.emblem.save("emblem.png", ContentFile(png((10, 80, 160))))

    year = AssessmentYear.objects.get(year=2567)
    result = AssessmentResult.objects.create(organisation=org_a, year=year, total_score=Decimal("87.25"),
                                             summary="ผ่าน")
    for tool in Tool.objects.all():
        ToolScore.objects.create(result=result, tool=tool, score=Decimal("88.10"), issues_to_improve="สื่อสาร")
    indicators = list(year.indicators.order_by("number")[:3])
    for indicator in indicators:
        IndicatorScore.objects.create(result=result, indicator=indicator, score=Decimal("79.99"))
    item = OITItem.objects.filter(year=year).order_by("number").first()
    OITItemScore.objects.create(result=result, item=item, score=Decimal("0.00"), remark="ไม่พบข้อมูล")

    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, order=1, title="มาตรการเปิดเผยข้อมูล",
                             start_month=date(2024, 10, 1), end_month=date(2025, 3, 1), report_rounds=[6, 12])
    measure.tools.set(Tool.objects.filter(code="OIT"))
    measure.indicators.set(indicators[:2])
    measure.oit_items.set([item])
    measure.divisions.set([office])
    step = MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจง", due_date=date(2025, 1, 14))
    MeasureStepFactory(measure=measure, parent=step, order=1, text="(๑) จัดทำคำสั่ง")
    measure.title = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้าง"  # a change: another history row
    measure._history_user = staff_a
    measure.save()
    measure.divisions.set([office, finance])  # history of the many-to-many field
    MeasureFactory(organisation=org_b, fiscal_year=2568, order=1, title="มาตรการของ อบต.บี")

    document = transitions.create_document(org_a, fiscal_year=2568, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    Memo.objects.create(document=document, department="สำนักปลัด", subject="รายงานผล", addressee="นายก",
                        body="เรื่องเดิม\n\nรายงานผลการดำเนินการ", date=date(2025, 4, 2))
    entry = document.entries.get()
    entry_services.save_entry(entry, data={"output": "จัดประชุมแล้ว", "status": "done",
                                     "activity_start": date(2024, 11, 1)},
                        expected_version=entry.version, actor=staff_a)
    entry.refresh_from_db()
    entry_services.add_evidence_file(entry, upload=upload((200, 30, 30)), title="ภาพการประชุม", actor=staff_a,
                                     is_public=True)
    removed = entry_services.add_evidence_file(entry, upload=upload((30, 200, 30)), title="ผิดไฟล์", actor=staff_a)
    entry_services.remove_evidence(Evidence.objects.get(pk=removed.pk), actor=staff_a)  # its file is deleted
    entry_services.add_evidence_link(entry, url="https://example.org/album", title="อัลบั้ม", actor=staff_a)
    document = Document.objects.get(pk=document.pk)
    if publish:
        document = transitions.submit_document(document, actor=staff_a, notify=False)
        document = transitions.approve_document(document, actor=approver_a, comment="เรียบร้อย", notify=False)
        transitions.publish_document(document, actor=approver_a, notify=False)  # the PDF renders on commit
        document = Document.objects.get(pk=document.pk)
        assert document.status == DocumentStatus.PUBLISHED and document.pdf_file
        transitions.withdraw_document(document, actor=admin_a, reason="แก้ไขตัวเลข", notify=False)
        transitions.new_revision(Document.objects.get(pk=document.pk), actor=staff_a)  # shares the evidence file
        # A new emblem: the published snapshot still names the old one, which stays in the storage.
        org_a.emblem.save("emblem-new.png", ContentFile(png((160, 80, 10))))
    SentReminder.objects.create(key=f"step:{step.pk}:2025-01-07", user=staff_a)
    LogEntry.objects.create(user=root, content_type=ContentType.objects.get_for_model(Organisation),
                            object_id=str(org_a.pk), object_repr=str(org_a), action_flag=CHANGE,
                            change_message='[{"changed": {"fields": ["name"]}}]')
    common = {"user_agent": "pytest", "ip_address": "10.0.0.7", "http_accept": "*/*", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(username="staff_a", get_data="", post_data="username=staff_a",
                                 failures_since_start=2, **common)
    AccessLog.objects.create(username="approver_a", **common)
    AccessFailureLog.objects.create(username="nobody", locked_out=False, **common)
    session = SessionStore()
    session["note"] = "left out of backups"
    session.create()
    return {"document": document, "measure": measure, "org": org_a}


@pytest.fixture
def instance(org_a, org_b, staff_a, approver_a, admin_a, staff_b):
    return populate(org_a, org_b, staff_a, approver_a, admin_a, staff_b)


@pytest.fixture
def small_instance(org_a, org_b, staff_a, approver_a, admin_a, staff_b):
    """The same without the workflow beyond the draft (no PDF to render): for the refusal tests."""
    return populate(org_a, org_b, staff_a, approver_a, admin_a, staff_b, publish=False)


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def without_sessions(rows):
    return {label: table for label, table in rows.items() if label != "sessions.session"}


# --- the round trip ---------------------------------------------------------------------------------

def test_round_trip_restores_every_row_and_every_file(instance, tmp_path):
    rows, files = all_rows(), all_files()
    # The instance holds every kind of data the archive must keep, so the comparison below compares something.
    for label in ("auth.user", "auth.group_permissions", "auth.user_groups", "auth.user_user_permissions",
                  "orgs.membership", "orgs.membership_divisions", "ita.indicator", "ita.oititem",
                  "ita.assessmentresult", "ita.oititemscore", "measures.measure_indicators", "measures.measurestep",
                  "measures.historicalmeasure", "measures.historicalmeasure_divisions", "reports.document",
                  "reports.memo", "reports.progressentry", "reports.evidence", "reports.historicalevidence",
                  "reports.historicalprogressentry", "reports.workflowevent", "reports.sentreminder",
                  "admin.logentry", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
                  "sessions.session"):
        assert rows[label], f"the populated instance has no {label} rows"
    assert any(r["snapshot"] for r in rows["reports.document"])
    prefixes = {name.split("/")[0] for name in files}
    assert prefixes == {"emblems", "evidence", "published"}, files
    assert len([n for n in files if n.startswith("emblems/")]) == 2  # the current one and the snapshot's

    archive = tmp_path / "ita.zip"
    out = run("backup", archive)
    assert "Backed up" in out and archive.is_file()
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    counts = {entry["model"]: entry["rows"] for entry in manifest["models"]}
    assert counts == {label: len(table) for label, table in without_sessions(rows).items()}
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == files
    assert manifest["missing_files"] == []

    wipe()
    out = run("restore", archive)
    assert "Restored" in out

    after = all_rows()
    for label, table in without_sessions(rows).items():
        assert after[label] == table, f"{label} differs after the restore"
    assert after["sessions.session"] == []  # left out on purpose: everyone signs in again
    assert all_files() == files

    # Ids go on after the restored ones (PostgreSQL sequences reset; SQLite's AUTOINCREMENT follows).
    max_ids = highest_ids()
    staff = User.objects.get(username="staff_a")
    user = UserFactory(username="after_restore")
    org = OrganisationFactory()
    measure = Measure.objects.get(pk=instance["measure"].pk)
    measure.title = "มาตรการหลังการกู้คืน"
    measure.save()  # a history row
    new_measure = MeasureFactory(organisation=instance["org"], fiscal_year=2569)
    new_measure.divisions.set(Division.objects.filter(organisation=instance["org"]))
    Group.objects.get().user_set.add(user)
    document = transitions.create_document(instance["org"], fiscal_year=2569, kind="measures", actor=staff,
                                           notify=False)
    assert user.pk > max_ids["auth.user"]
    assert org.pk > max_ids["orgs.organisation"]
    assert new_measure.pk > max_ids["measures.measure"]
    assert document.pk > max_ids["reports.document"]
    assert measure.history.latest().history_id > max_ids["measures.historicalmeasure"]
    assert User.groups.through.objects.latest("id").id > max_ids["auth.user_groups"]
    assert next_ids_follow_the_rows(max_ids)


def highest_ids() -> dict[str, int]:
    """The highest id of every table with an auto-increment id and rows."""
    highest = {}
    for model in table_models():
        if isinstance(model._meta.pk, models.AutoField):
            top = model._base_manager.aggregate(top=models.Max("pk"))["top"]
            if top is not None:
                highest[model._meta.label_lower] = top
    return highest


def next_ids_follow_the_rows(max_ids) -> bool:
    """Every table's id counter is past its highest restored id (checked in the database itself)."""
    with connection.cursor() as cursor:
        for model in table_models():
            label, pk = model._meta.label_lower, model._meta.pk
            if label not in max_ids:
                continue
            if POSTGRES:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
                (sequence,) = cursor.fetchone()
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                last, called = cursor.fetchone()
                assert called and last >= max_ids[label], f"{label}: the sequence is at {last}"
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
                row = cursor.fetchone()
                assert row and row[0] >= max_ids[label], f"{label}: the counter is at {row}"
    return True


def test_restore_with_force_replaces_a_changed_database_and_keeps_untouched_files(instance, tmp_path):
    archive = tmp_path / "ita.zip"
    run("backup", archive)
    rows, files = all_rows(), all_files()
    Organisation.objects.filter(pk=instance["org"].pk).update(name="ชื่อที่เปลี่ยนหลังสำรอง")
    OrganisationFactory(slug="created-after-the-backup")
    SentReminder.objects.all().delete()
    Memo.objects.all().delete()

    with pytest.raises(CommandError, match="The database is not empty .*add --force"):
        call_command("restore", str(archive))
    assert Organisation.objects.filter(slug="created-after-the-backup").exists()  # refused: nothing changed

    cached_under = pagecache.tokens(["site", "catalogue"])
    out = run("restore", archive, "--force")
    assert f"wrote 0 files, {len(files)} already there" in out
    # The raw inserts send no signals: the restore itself makes every cached public page unreachable.
    site, catalogue = pagecache.tokens(["site", "catalogue"])
    assert pagecache.enabled() and site != cached_under[0] and catalogue != cached_under[1]
    after = all_rows()
    for label, table in without_sessions(rows).items():
        assert after[label] == table, f"{label} differs after the restore"
    assert all_files() == files


def test_a_file_deleted_or_changed_in_the_storage_is_written_again(small_instance, tmp_path):
    archive = tmp_path / "ita.zip"
    run("backup", archive)
    files = all_files()
    evidence_name = next(n for n in files if n.startswith("evidence/"))
    emblem_name = next(n for n in files if n.startswith("emblems/"))
    default_storage.delete(evidence_name)
    default_storage.delete(emblem_name)
    default_storage.save(emblem_name, ContentFile(b"not the emblem"))
    run("restore", archive, "--force")
    assert all_files() == files


# --- refusals ----------------------------------------------------------------------------------------

def rewrite(src, dst, change):
    """Copy an archive member by member; ``change(name, data)`` returns the new bytes (None: drop it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def flip_a_byte_inside(path, member):
    """Damage the stored bytes of one member in place (its CRC no longer matches)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    raw = bytearray(path.read_bytes())
    header = 30 + len(info.filename.encode()) + len(info.extra)
    at = info.header_offset + header + info.compress_size // 2
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))


def with_manifest(change, *, key=None):
    """Change the manifest and sign it again with ``key`` (default: this installation's, as for an archive
    its own operator made; another key or None for a forger's)."""
    changed = {}

    def apply(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            change(manifest)
            changed["manifest"] = json.dumps(manifest).encode()
            return changed["manifest"]
        if name == SIGNATURE:
            return sign(changed["manifest"], key) if key is not False else data
        return data
    return apply


def test_a_forged_backup_is_refused_unless_trusted_and_the_key_comes_from_backup_key(
        small_instance, tmp_path, monkeypatch, staff_a):
    """The reproduction of the audit: a user made superuser in the rows, the manifest's sha256 recomputed."""
    good = tmp_path / "good.zip"
    run("backup", good)
    forged = tmp_path / "forged.zip"
    digest = {}

    def make_superuser(name, data):
        if name == "data/auth.user.jsonl":
            lines = [json.loads(line) for line in data.splitlines()]
            for row in lines:
                if row["fields"]["username"] == staff_a.username:
                    row["fields"]["is_superuser"] = row["fields"]["is_staff"] = True
            data = b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in lines)
            digest["sha256"] = hashlib.sha256(data).hexdigest()
        return data

    rewrite(good, tmp_path / "rows.zip", make_superuser)
    recompute = with_manifest(lambda m: next(e for e in m["models"] if e["model"] == "auth.user").update(
        sha256=digest["sha256"]), key=False)  # the forger cannot sign: the old signature stays
    rewrite(tmp_path / "rows.zip", forged, recompute)
    rows = all_rows()
    for args in ([forged, "--force"], [forged, "--check"]):
        with pytest.raises(CommandError, match="signature does not match.*--trust-unsigned.*Nothing was changed"):
            run("restore", *args)
    assert all_rows() == rows

    unsigned = tmp_path / "unsigned.zip"
    rewrite(good, unsigned, lambda n, d: None if n == SIGNATURE else d)
    with pytest.raises(CommandError, match="is not signed"):
        run("restore", unsigned, "--force")
    other_key = tmp_path / "other-key.zip"
    rewrite(good, other_key, with_manifest(lambda m: None, key=b"another installation's key"))
    with pytest.raises(CommandError, match="signed with another key"):
        run("restore", other_key, "--force")
    assert all_rows() == rows

    # who knows the archive's origin may still restore it
    assert "is complete" in run("restore", forged, "--check", "--trust-unsigned")
    run("restore", forged, "--force", "--trust-unsigned")
    assert User.objects.get(username=staff_a.username).is_superuser

    # BACKUP_KEY, when set, is the key: an archive signed with SECRET_KEY no longer verifies
    monkeypatch.setenv("BACKUP_KEY", "a-backup-key-kept-apart-from-the-secret-key-0123456789")
    with pytest.raises(CommandError, match="signed with another key"):
        run("restore", good, "--check")
    rekeyed = tmp_path / "rekeyed.zip"
    run("backup", rekeyed)
    assert "is complete" in run("restore", rekeyed, "--check")


DAMAGES = {
    "truncated": "truncated",
    "not a zip": "not a zip file",
    "a file's bytes flipped": "damaged",
    "a data member edited (CRC fine, sha256 not)": "does not match its sha256",
    "a row added to a data member": "does not match its sha256",
    "a file missing": "is missing",
    "no manifest": "has no manifest.json",
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_archive_is_refused_before_anything_changes(small_instance, tmp_path, damage):
    good = tmp_path / "good.zip"
    run("backup", good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zf:
        members = zf.namelist()
    a_file = next(m for m in members if m.startswith("files/evidence/"))
    if damage == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "not a zip":
        bad.write_bytes(b"this is not an archive")
    elif damage == "a file's bytes flipped":
        bad.write_bytes(good.read_bytes())
        flip_a_byte_inside(bad, a_file)
    elif damage == "a data member edited (CRC fine, sha256 not)":
        rewrite(good, bad, lambda n, d: d.replace("จัดประชุมแล้ว".encode(), "แก้ไขแล้ว".encode())
                if n == "data/reports.progressentry.jsonl" else d)
    elif damage == "a row added to a data member":
        def add_row(name, data):
            if name == "data/auth.user.jsonl":
                row = json.loads(data.splitlines()[0])
                row["pk"] = 999_999
                row["fields"]["username"] = "intruder"
                return data + json.dumps(row).encode() + b"\n"
            return data
        rewrite(good, bad, add_row)
    elif damage == "a file missing":
        rewrite(good, bad, lambda n, d: None if n == a_file else d)
    else:
        rewrite(good, bad, lambda n, d: None if n == "manifest.json" else d)
    rows, files = all_rows(), all_files()

    with pytest.raises(CommandError, match=DAMAGES[damage]) as refused:
        call_command("restore", str(bad), "--force")
    assert "nothing was changed" in str(refused.value).lower()
    assert all_rows() == rows and all_files() == files
    with pytest.raises(CommandError):
        call_command("restore", str(bad), "--check")
    assert "is complete" in run("restore", good, "--check")


def test_an_error_while_loading_rolls_the_whole_restore_back(small_instance, tmp_path):
    """An archive that passes its manifest but holds a row that cannot be stored (a membership of a user
    who is not in the archive): the flush and every row loaded before are rolled back."""
    good = tmp_path / "good.zip"
    run("backup", good)
    bad = tmp_path / "bad.zip"
    changed = {}

    def orphan_membership(name, data):
        if name == "data/orgs.membership.jsonl":
            lines = data.splitlines(keepends=True)
            row = json.loads(lines[-1])
            row["fields"]["user"] = 987_654
            lines[-1] = json.dumps(row, ensure_ascii=False).encode() + b"\n"
            data = b"".join(lines)
            changed["sha256"] = hashlib.sha256(data).hexdigest()
        return data

    rewrite(good, bad, orphan_membership)
    rewrite(bad, tmp_path / "bad2.zip", with_manifest(lambda m: next(
        e for e in m["models"] if e["model"] == "orgs.membership").update(sha256=changed["sha256"])))
    bad = tmp_path / "bad2.zip"
    assert "is complete" in run("restore", bad, "--check")  # the manifest agrees: only loading can tell
    rows, files = all_rows(), all_files()

    with pytest.raises(CommandError, match="cannot be stored in this database.*the database is unchanged"):
        call_command("restore", str(bad), "--force")
    assert all_rows() == rows
    assert all_files() == files


def test_a_database_with_other_migrations_is_refused(small_instance, tmp_path):
    good = tmp_path / "good.zip"
    run("backup", good)
    newer = tmp_path / "newer.zip"
    rewrite(good, newer, with_manifest(lambda m: m["migrations"]["reports"].append("9999_from_the_future")))
    wipe()
    rows = all_rows()
    with pytest.raises(CommandError, match=r"schema differs .*reports\.9999_from_the_future"):
        call_command("restore", str(newer))
    assert all_rows() == rows


def test_backup_keeps_an_existing_file_unless_forced_and_reports_missing_files(small_instance, tmp_path):
    archive = tmp_path / "ita.zip"
    archive.write_bytes(b"yesterday")
    with pytest.raises(CommandError, match="exists already.*--force"):
        call_command("backup", str(archive))
    assert archive.read_bytes() == b"yesterday"

    evidence = Evidence.objects.exclude(file="").get()
    default_storage.delete(evidence.file.name)
    out = run("backup", archive, "--force")
    assert f"Missing from the storage, not in the archive: {evidence.file.name}" in out
    assert "1 file(s) named only by history rows" in out  # the removed evidence's file
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["missing_files"] == [{"name": evidence.file.name, "referenced_by": "reports.evidence.file"}]
    assert not list(tmp_path.glob("*.partial"))


# --- no local-disk assumption --------------------------------------------------------------------

IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_backup_and_restore_work_with_a_storage_that_is_not_a_disk(org_a, org_b, staff_a, approver_a, admin_a,
                                                                    staff_b, tmp_path, media):
    with override_settings(STORAGES=IN_MEMORY):
        assert isinstance(default_storage, InMemoryStorage)
        populate(org_a, org_b, staff_a, approver_a, admin_a, staff_b, publish=False)
        rows, files = all_rows(), all_files()
        assert len(files) == 2 and any(n.startswith("evidence/") for n in files)

        archive = tmp_path / "ita.zip"
        run("backup", archive)
        wipe()
        run("restore", archive)
        after = all_rows()
        for label, table in without_sessions(rows).items():
            assert after[label] == table, f"{label} differs after the restore"
        assert all_files() == files
    assert not media.exists() or not any(media.rglob("*"))  # nothing went through the local disk


def test_every_table_is_archived_but_the_sessions():
    archived = {m._meta.label_lower for m in backup_module.archived_models()}
    assert archived == {m._meta.label_lower for m in table_models()} - {"sessions.session"}
    assert Session._meta.label_lower in backup_module.EXCLUDED_MODELS
