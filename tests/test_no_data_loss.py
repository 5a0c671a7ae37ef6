"""No data loss in the document workflow (reports/workflow/, reports/entries/services.py): races and crashes.

1. Two approvers approve (or publish) the same document at the same moment: exactly one transition
   happens (one event, one snapshot, the version moves on once); the other call is refused with a clean
   WorkflowError("status"), never a database error and never a second event.
2. A crash at each point of ``approve_document`` / ``publish_document`` after the status was changed:
   the document is either exactly as it was (the whole row, its events and entries) or fully approved /
   published (status, event, snapshot; a PDF that failed to render after the commit is being prepared
   until the background task's next try stores it) — never half. After a crash inside the transaction the same call succeeds again.
3. Staff save an entry while someone else submits the document: either the save lands before the submit
   (the submitted document holds it) or it is refused with StaleDocument — never saved into a submitted
   document.

The races run as real threads, each with its own database connection (``transaction=True``, so every
service call commits for real). On PostgreSQL the calls overlap for real: the call that holds the
document's row lock waits (inside the service, through a pass-through wrapper of ``rules.lock_document``)
until PostgreSQL reports the other connection blocked behind it, and the test asserts that this
happened. SQLite has no row locks and allows one writer at a time (a second writer fails with "database
is locked"), so there the two threads are interleaved one after the other: both calls still start from
the document as both users loaded it before either acted (a stale page), and the same assertions hold.
CI runs this file on both databases.
"""
from __future__ import annotations

import threading
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

import reports.documents.data
import reports.printing.rendering
from orgs.models import Role
from reports.entries import services as entry_services
from reports.models import Document, DocumentStatus, ProgressEntry, WorkflowAction, WorkflowEvent
from reports.printing import stored_pdf
from reports.workflow import rules, transitions
from reports.workflow.rules import StaleDocument, WorkflowError
from reports.workflow.tasks import render_published_pdf

from .factories import MeasureFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]

FY = 2568
ROUND = 6
OLD_TEXT = "จัดประชุมชี้แจงบุคลากรเรื่องการเปิดเผยข้อมูล"
NEW_TEXT = "เผยแพร่ประกาศและรายงานการจัดซื้อจัดจ้างครบทุกเดือน"
WAIT = 10  # seconds; a race that needs longer is a deadlock
POSTGRES = connection.vendor == "postgresql"
# Every module that takes a document's row lock (``rules.lock_document``, imported by name).
LOCKING_MODULES = (rules, transitions, entry_services, stored_pdf)


# --- the harness --------------------------------------------------------------------------------------

def _blocking_another_connection(timeout: float = WAIT) -> bool:
    """PostgreSQL: wait (inside the caller's transaction) until another connection is blocked by a lock
    this connection holds. False when none was within ``timeout``."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.01)
    return False


class Race:
    """Two service calls at the same moment, each in its own thread with its own connection.

    ``first``: the call that must take the document's row lock first (None: whichever gets there
    first). The call holding the lock waits until the other one is blocked behind it (PostgreSQL), so
    the overlap is certain, not a matter of timing. On SQLite the calls run one after the other."""

    def __init__(self, monkeypatch, first: str | None = None):
        self.first = first
        self.holder: str | None = None
        self.other_was_blocked = False
        self.holding = threading.Event()
        self._guard = threading.Lock()
        real_lock = rules.lock_document

        def lock(document):
            locked = real_lock(document)  # the row is locked now, for the rest of the transaction
            self._took_lock()
            return locked

        for module in LOCKING_MODULES:
            monkeypatch.setattr(module, "lock_document", lock)

    def _took_lock(self):
        me = threading.current_thread().name
        with self._guard:
            if self.holder is not None or (self.first is not None and me != self.first):
                return
            self.holder = me
        self.holding.set()
        if POSTGRES:
            self.other_was_blocked = _blocking_another_connection()

    def run(self, **calls) -> dict:
        """{name: ("ok", result) | ("refused", exception)} for each call."""
        names = list(calls)
        leader = self.first or names[0]
        barrier = threading.Barrier(len(names))
        done = {name: threading.Event() for name in names}
        outcomes = {}

        def body(name):
            try:
                barrier.wait(WAIT)  # both threads are ready: the calls start together
                if name != leader:
                    if not POSTGRES:
                        assert done[leader].wait(WAIT)  # SQLite: one writer after the other
                    elif self.first is not None:
                        assert self.holding.wait(WAIT)  # the leader holds the row now
                outcomes[name] = ("ok", calls[name]())
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts
                outcomes[name] = ("refused", exc)
            finally:
                connections.close_all()  # this thread's connections only
                done[name].set()

        threads = [threading.Thread(target=body, args=(name,), name=name) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(3 * WAIT)
        assert not any(thread.is_alive() for thread in threads), "the race deadlocked"
        return outcomes

    def assert_overlapped(self):
        """PostgreSQL: the second call really ran while the first one held the document (it was blocked
        behind the row lock), so the race above was a race."""
        if POSTGRES:
            assert self.other_was_blocked, "the second call never waited for the first one's row lock"


def refused(outcomes) -> list:
    return [value for kind, value in outcomes.values() if kind == "refused"]


def succeeded(outcomes) -> list:
    return [name for name, (kind, _value) in outcomes.items() if kind == "ok"]


def status_message(status: str) -> str:
    with translation.override("th"):
        return translation.gettext("This cannot be done while the document is %(status)s.") % {
            "status": str(DocumentStatus(status).label)}


def db_state(document) -> dict:
    """Everything a crashed transition must leave exactly as it was."""
    return {
        "document": Document.objects.filter(pk=document.pk).values().get(),
        "events": list(WorkflowEvent.objects.filter(document_id=document.pk).order_by("pk").values()),
        "entries": list(ProgressEntry.objects.filter(document_id=document.pk).order_by("pk").values()),
    }


def new_events(document, before) -> list:
    known = {event["id"] for event in before["events"]}
    return list(WorkflowEvent.objects.filter(document_id=document.pk).exclude(pk__in=known))


def fresh(document) -> Document:
    """The document as a user's page loads it."""
    return Document.objects.select_related("organisation").get(pk=document.pk)


# --- the cast and the states ------------------------------------------------------------------------------

@pytest.fixture
def measure(org_a):
    return MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title="มาตรการเปิดเผยข้อมูลสาธารณะ",
                          report_rounds=[6, 12])


@pytest.fixture
def second_approver(org_a):
    return MembershipFactory(user=UserFactory(username="approver2_a"), organisation=org_a, role=Role.APPROVER).user


@pytest.fixture
def second_staff(org_a):
    return MembershipFactory(user=UserFactory(username="staff2_a"), organisation=org_a, role=Role.STAFF).user


@pytest.fixture
def draft(org_a, measure, staff_a):
    org_a.allow_self_approval = False
    org_a.save()
    document = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=ROUND, actor=staff_a,
                                           notify=False)
    entry = document.entries.get()
    entry_services.save_entry(entry, data={"output": OLD_TEXT}, expected_version=entry.version, actor=staff_a)
    return fresh(document)


@pytest.fixture
def submitted(draft, staff_a):
    transitions.submit_document(draft, actor=staff_a, notify=False)
    return fresh(draft)


@pytest.fixture
def approved(submitted, approver_a):
    transitions.approve_document(submitted, actor=approver_a, notify=False)
    return fresh(submitted)


# --- 1. two approvers at the same moment -------------------------------------------------------------------

def test_two_approvers_approving_at_once_make_exactly_one_approval(
        monkeypatch, submitted, approver_a, second_approver):
    builds = []
    real_build = reports.documents.data.build_document_data

    def counting_build(document):
        builds.append(threading.current_thread().name)
        return real_build(document)

    monkeypatch.setattr(reports.documents.data, "build_document_data", counting_build)
    before = db_state(submitted)
    pages = {"first": fresh(submitted), "second": fresh(submitted)}  # both approvers opened the page

    race = Race(monkeypatch)
    outcomes = race.run(
        first=lambda: transitions.approve_document(pages["first"], actor=approver_a, notify=False),
        second=lambda: transitions.approve_document(pages["second"], actor=second_approver, notify=False),
    )

    assert len(succeeded(outcomes)) == 1, outcomes
    (winner,) = succeeded(outcomes)
    (error,) = refused(outcomes)
    assert type(error) is WorkflowError and error.code == "status"
    assert error.message == status_message(DocumentStatus.APPROVED)  # "… while the document is Approved."
    document = fresh(submitted)
    assert document.status == DocumentStatus.APPROVED
    assert document.approved_by == {"first": approver_a, "second": second_approver}[winner]
    assert document.version == before["document"]["version"] + 1
    assert builds == [winner]  # the snapshot was built once, by the winner
    assert document.snapshot is not None and document.snapshot["measures"]
    (event,) = new_events(submitted, before)
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        WorkflowAction.APPROVE, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, document.approved_by_id)
    race.assert_overlapped()


def test_two_approvers_publishing_at_once_make_exactly_one_publication(
        monkeypatch, approved, approver_a, second_approver):
    before = db_state(approved)
    pages = {"first": fresh(approved), "second": fresh(approved)}

    race = Race(monkeypatch)
    outcomes = race.run(
        first=lambda: transitions.publish_document(pages["first"], actor=approver_a, notify=False, render=False),
        second=lambda: transitions.publish_document(pages["second"], actor=second_approver, notify=False,
                                                    render=False),
    )

    assert len(succeeded(outcomes)) == 1, outcomes
    (winner,) = succeeded(outcomes)
    (error,) = refused(outcomes)
    assert type(error) is WorkflowError and error.code == "status"
    assert error.message == status_message(DocumentStatus.PUBLISHED)
    document = fresh(approved)
    assert document.status == DocumentStatus.PUBLISHED
    assert document.published_by == {"first": approver_a, "second": second_approver}[winner]
    assert document.version == before["document"]["version"] + 1
    assert document.snapshot == before["document"]["snapshot"]  # publishing never touches the snapshot
    (event,) = new_events(approved, before)
    assert (event.action, event.from_status, event.to_status, event.actor_id) == (
        WorkflowAction.PUBLISH, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED, document.published_by_id)
    race.assert_overlapped()


def test_an_approver_returning_while_another_approves_leaves_one_of_the_two(
        monkeypatch, submitted, approver_a, second_approver):
    before = db_state(submitted)
    pages = {"approve": fresh(submitted), "return": fresh(submitted)}

    race = Race(monkeypatch)
    outcomes = race.run(
        approve=lambda: transitions.approve_document(pages["approve"], actor=approver_a, notify=False),
        **{"return": lambda: transitions.return_document(pages["return"], actor=second_approver,
                                                         comment="แก้ไขผลการดำเนินการ", notify=False)},
    )

    assert len(succeeded(outcomes)) == 1, outcomes
    (winner,) = succeeded(outcomes)
    (error,) = refused(outcomes)
    assert type(error) is WorkflowError and error.code == "status"
    document = fresh(submitted)
    (event,) = new_events(submitted, before)
    if winner == "approve":
        assert (document.status, event.action) == (DocumentStatus.APPROVED, WorkflowAction.APPROVE)
        assert document.snapshot is not None
        assert error.message == status_message(DocumentStatus.APPROVED)
    else:
        assert (document.status, event.action) == (DocumentStatus.DRAFT, WorkflowAction.RETURN)
        assert document.snapshot is None and document.approved_by is None
        assert error.message == status_message(DocumentStatus.DRAFT)
    assert document.version == before["document"]["version"] + 1
    race.assert_overlapped()


# --- 2. a crash during approval or publication ---------------------------------------------------------------

class Crash(Exception):
    """The process dies here (a bug, the database connection dropping, a killed worker)."""


class BrokenMailServer(BaseEmailBackend):
    """A mail server that refuses every connection; ``attempts`` counts the tries."""

    attempts = []

    def open(self):
        BrokenMailServer.attempts.append("open")
        raise ConnectionRefusedError("the mail server is down")

    def send_messages(self, email_messages):
        BrokenMailServer.attempts.append("send")
        raise ConnectionRefusedError("the mail server is down")


def crash_after_saving(model, status_field, value, hits):
    """``model.save`` writes the row, then the process crashes (only for rows reaching ``value``)."""
    real_save = model.save

    def save(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        if getattr(self, status_field) == value:
            hits.append(model.__name__)
            raise Crash(f"crash right after saving {model.__name__}")

    return save


def crash_instead(name, hits):
    def boom(*args, **kwargs):
        hits.append(name)
        raise Crash(f"crash in {name}")
    return boom


APPROVE_CRASHES = {
    # inside the transaction: the status was set, then …
    "building the snapshot": "rollback",
    "saving the approved document": "rollback",
    "writing the APPROVE event": "rollback",
    # after the commit
    "e-mailing the author": "stands",
}
PUBLISH_CRASHES = {
    "saving the published document": "rollback",
    "writing the PUBLISH event": "rollback",
    "rendering the PDF": "stands",
    "storing the PDF": "stands",
    "e-mailing the author": "stands",
}


def break_at(point, monkeypatch, settings, hits):
    if point == "building the snapshot":
        monkeypatch.setattr(reports.documents.data, "build_document_data", crash_instead(point, hits))
    elif point == "saving the approved document":
        monkeypatch.setattr(Document, "save", crash_after_saving(Document, "status", DocumentStatus.APPROVED, hits))
    elif point == "saving the published document":
        monkeypatch.setattr(Document, "save", crash_after_saving(Document, "status", DocumentStatus.PUBLISHED, hits))
    elif point == "writing the APPROVE event":
        monkeypatch.setattr(WorkflowEvent, "save",
                            crash_after_saving(WorkflowEvent, "action", WorkflowAction.APPROVE, hits))
    elif point == "writing the PUBLISH event":
        monkeypatch.setattr(WorkflowEvent, "save",
                            crash_after_saving(WorkflowEvent, "action", WorkflowAction.PUBLISH, hits))
    elif point == "rendering the PDF":
        monkeypatch.setattr(reports.printing.rendering, "render_document_pdf", crash_instead(point, hits))
    elif point == "storing the PDF":
        def disk_full(self, name, content):
            hits.append(point)
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    elif point == "e-mailing the author":
        BrokenMailServer.attempts = hits
        settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    else:  # pragma: no cover
        raise AssertionError(point)


@pytest.mark.parametrize("point", list(APPROVE_CRASHES))
def test_a_crash_during_approval_leaves_the_document_as_it_was_or_fully_approved(
        point, monkeypatch, settings, cast, submitted, approver_a):
    before = db_state(submitted)
    hits = []
    break_at(point, monkeypatch, settings, hits)

    if APPROVE_CRASHES[point] == "rollback":
        with pytest.raises(Crash):
            transitions.approve_document(fresh(submitted), actor=approver_a, notify=True)
        assert hits  # the crash happened where the test says
        assert db_state(submitted) == before  # status, version, snapshot, events, entries: as they were

        monkeypatch.undo()  # the process is back: the same approval goes through once, nothing left locked
        transitions.approve_document(fresh(submitted), actor=approver_a, notify=False)
    else:
        transitions.approve_document(fresh(submitted), actor=approver_a, notify=True)  # the approval stands
        assert hits

    document = fresh(submitted)
    assert document.status == DocumentStatus.APPROVED
    assert document.approved_by == approver_a and document.approved_at is not None
    assert document.version == before["document"]["version"] + 1
    assert document.snapshot is not None and document.snapshot["measures"]
    (event,) = new_events(submitted, before)
    assert (event.action, event.from_status, event.to_status) == (
        WorkflowAction.APPROVE, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED)


@pytest.mark.parametrize("point", list(PUBLISH_CRASHES))
def test_a_crash_during_publication_leaves_the_document_as_it_was_or_fully_published(
        point, monkeypatch, settings, cast, approved, approver_a, client):
    before = db_state(approved)
    hits = []
    break_at(point, monkeypatch, settings, hits)

    if PUBLISH_CRASHES[point] == "rollback":
        with pytest.raises(Crash):
            transitions.publish_document(fresh(approved), actor=approver_a, notify=True, render=True)
        assert hits
        assert db_state(approved) == before
        assert client.get(reverse("public:document", args=["org-a", FY, f"progress-{ROUND}"])).status_code == 404

        monkeypatch.undo()
        transitions.publish_document(fresh(approved), actor=approver_a, notify=False, render=False)
    else:
        transitions.publish_document(fresh(approved), actor=approver_a, notify=True, render=True)
        assert hits
        monkeypatch.undo()

    document = fresh(approved)
    assert document.status == DocumentStatus.PUBLISHED
    assert document.published_by == approver_a and document.published_at is not None
    assert document.version == before["document"]["version"] + 1
    assert document.snapshot == before["document"]["snapshot"] and document.snapshot is not None
    (event,) = new_events(approved, before)
    assert (event.action, event.from_status, event.to_status) == (
        WorkflowAction.PUBLISH, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED)
    if point in ("rendering the PDF", "storing the PDF"):
        assert not document.pdf_file  # nothing half-stored
        assert document.pdf_attempts == 4 and document.pdf_failed_at is not None  # the task's tries, all failed

    # The published document is public at once; its PDF is there, or being prepared until the background
    # task stores it (rendered by its next try when publication could not).
    assert client.get(reverse("public:document", args=["org-a", FY, f"progress-{ROUND}"])).status_code == 200
    pdf_address = reverse("public:document_pdf", args=["org-a", FY, f"progress-{ROUND}"])
    if point != "e-mailing the author":  # rolled back and published without a render, or the render crashed
        waiting = client.get(pdf_address)
        assert waiting.status_code == 503 and waiting["Retry-After"] == "60"  # being prepared, never an error
        assert render_published_pdf.call(document.pk) is True
    response = client.get(pdf_address)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")
    document.refresh_from_db()
    assert document.pdf_file and document.pdf_file.storage.exists(document.pdf_file.name)


# --- 3. saving an entry while someone submits ----------------------------------------------------------------

@pytest.mark.parametrize("submit_from_page", [False, True], ids=["submit", "submit-with-page-version"])
@pytest.mark.parametrize("first", ["save", "submit"])
def test_an_entry_saved_while_the_document_is_submitted_is_never_lost_or_saved_into_it(
        first, submit_from_page, monkeypatch, draft, staff_a, second_staff):
    entry = ProgressEntry.objects.select_related("document__organisation").get(document=draft)
    entry_version = entry.version  # what the staff member's form was loaded with
    page_version = draft.version  # what the submitter's page showed
    before = db_state(draft)

    race = Race(monkeypatch, first=first)
    outcomes = race.run(
        save=lambda: entry_services.save_entry(entry, data={"output": NEW_TEXT}, expected_version=entry_version,
                                               actor=staff_a),
        submit=lambda: transitions.submit_document(
            fresh(draft) if not submit_from_page else draft, actor=second_staff, notify=False,
            expected_version=page_version if submit_from_page else None),
    )

    document = fresh(draft)
    saved = ProgressEntry.objects.get(pk=entry.pk)
    for error in refused(outcomes):
        assert isinstance(error, StaleDocument) and error.code == "stale", error  # never a database error
    if first == "save":
        assert outcomes["save"][0] == "ok"
        assert saved.output == NEW_TEXT and saved.version == entry_version + 1
        if submit_from_page:  # the submitter's page is outdated now: the submit is refused, nothing is lost
            assert outcomes["submit"][0] == "refused"
            assert document.status == DocumentStatus.DRAFT
            assert not new_events(draft, before)
        else:  # the save landed before the submit: the submitted document holds it
            assert outcomes["submit"][0] == "ok"
            assert document.status == DocumentStatus.SUBMITTED
    else:
        assert outcomes["submit"][0] == "ok"
        assert outcomes["save"][0] == "refused"
        assert outcomes["save"][1].current.status == DocumentStatus.SUBMITTED
        assert document.status == DocumentStatus.SUBMITTED
        assert ProgressEntry.objects.filter(pk=entry.pk).values().get() == before["entries"][0]  # untouched

    if document.status == DocumentStatus.SUBMITTED:
        # Never saved into a submitted document: every version of the entry is older than the submission.
        assert not saved.history.filter(history_date__gt=document.submitted_at).exists()
        (event,) = new_events(draft, before)
        assert event.action == WorkflowAction.SUBMIT and event.actor == second_staff
    race.assert_overlapped()
