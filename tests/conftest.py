"""The fixed cast of every test: organisation A (staff, approver, admin), organisation B (staff), anonymous;
and the fixtures shared by more than one test module."""
import os

import pytest

from orgs.models import Role

from .factories import (
    AssessmentYearFactory, DivisionFactory, IndicatorFactory, MeasureFactory, MeasureStepFactory, MembershipFactory,
    OrganisationFactory, ToolFactory, UserFactory,
)
from .helpers.measure_pages import OITItemFactory

CHROMIUM = "/usr/bin/chromium"


def _one_database_connection_per_thread():
    """Django keeps a thread's database connections in asgiref's thread-critical ``Local``: thread-local
    storage, except that while an asyncio event loop runs in the thread, a context variable instead. The
    sync Playwright API of the browser tests leaves its loop running in the main thread from the first
    browser test to the end of the session, so the main thread switched to a second connection there, and
    the first one stayed open, idle: at the end, pytest-django could not drop the worker's test database
    ("being accessed by other users"). The tests run Django synchronously in each thread: plain thread-local
    storage gives the main thread one connection, with or without the browser's loop
    (tests/test_browser_db_connection.py)."""
    import threading

    from django.db import connections

    storage = threading.local()
    for wrapper in connections.all(initialized_only=True):  # made by django.setup(), not connected yet
        setattr(storage, wrapper.alias, wrapper)
    connections._connections = storage


_one_database_connection_per_thread()


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Stored files (uploads, published PDFs) go to a directory of this test process, not to the checkout's
    media/: parallel workers (pytest-xdist) each number their rows from 1 and would write the same paths.
    Tests that look at the files set their own ``settings.MEDIA_ROOT = tmp_path`` on top of this."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql():
    """After each transactional test (live server, browser, real worker) Django empties every table with one
    TRUNCATE, which on PostgreSQL makes new files for each of ~100 tables: 0.3 s a test, 20 s of the
    suite's teardowns. Test tables hold a few rows, so DELETE (foreign keys checked at the end, the audit
    triggers lifted as for any flush: core.audit) empties them in ~10 ms. A flush that resets sequences
    or cascades (restore --force, core.backup) keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;", *(
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache (the public page cache is on in tests; the cache lives in
    this process and would otherwise keep one test's pages for the next)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _org_a():
    org = OrganisationFactory(name="เทศบาลตำบลเอ", slug="org-a")
    DivisionFactory(organisation=org, name="สำนักปลัด", order=1)
    DivisionFactory(organisation=org, name="กองคลัง", order=2)
    return org


def _org_b():
    org = OrganisationFactory(name="องค์การบริหารส่วนตำบลบี", slug="org-b", kind="sao")
    DivisionFactory(organisation=org, name="สำนักปลัด", order=1)
    return org


def _member(username, org, role):
    return MembershipFactory(user=UserFactory(username=username), organisation=org, role=role).user


@pytest.fixture(scope="session")
def build_cast():
    """Builds the whole cast below at once, for data a module builds once (scope="module", in a transaction
    rolled back at the module's end, as in tests/test_url_permissions.py): the same rows as the fixtures."""
    def build():
        org_a, org_b = _org_a(), _org_b()
        return {
            "org_a": org_a, "org_b": org_b,
            "staff_a": _member("staff_a", org_a, Role.STAFF),
            "approver_a": _member("approver_a", org_a, Role.APPROVER),
            "admin_a": _member("admin_a", org_a, Role.ADMIN),
            "staff_b": _member("staff_b", org_b, Role.STAFF),
            "admin_b": _member("admin_b", org_b, Role.ADMIN),
        }
    return build


@pytest.fixture
def org_a(db):
    return _org_a()


@pytest.fixture
def org_b(db):
    return _org_b()


@pytest.fixture
def staff_a(org_a):
    return _member("staff_a", org_a, Role.STAFF)


@pytest.fixture
def approver_a(org_a):
    return _member("approver_a", org_a, Role.APPROVER)


@pytest.fixture
def admin_a(org_a):
    return _member("admin_a", org_a, Role.ADMIN)


@pytest.fixture
def staff_b(org_b):
    return _member("staff_b", org_b, Role.STAFF)


@pytest.fixture
def admin_b(org_b):
    return _member("admin_b", org_b, Role.ADMIN)


@pytest.fixture
def cast(staff_a, approver_a, admin_a, staff_b):
    """The cast with e-mail addresses (<username>@example.org), for the notice and reminder tests."""
    for user in (staff_a, approver_a, admin_a, staff_b):
        user.email = f"{user.username}@example.org"
        user.save()
    return {"staff": staff_a, "approver": approver_a, "admin": admin_a, "other": staff_b}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium; its own browser download cannot work here."""
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs it with apt"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            # Every test origin is a loopback address (the live server, and "another website" for the
            # embed test); Chromium's local-network-access checks exist for public → local requests.
            "--disable-features=LocalNetworkAccessChecks",
        ],
    }


@pytest.fixture
def media(settings, tmp_path):
    """Stored files (uploads, emblems, published PDFs) go to a new, empty directory of this test: MEDIA_ROOT
    (returned), apart from anything else the test writes to tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def catalogue(db):
    """The ITA catalogue as shipped (ita/catalogue/: assessment years, tools, indicators, OIT items)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_ita_catalogue", stdout=StringIO())


# --- the measures pages (tests/test_measures_pages.py, tests/test_measure_form.py) -------------------

@pytest.fixture
def measure_a(org_a):
    """A measure of organisation A in fiscal year 2568 with one step (the measures pages' tests)."""
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการของเอ", order=0)
    MeasureStepFactory(measure=measure, text="ขั้นตอนเดิมของเอ", order=1)
    return measure


@pytest.fixture
def small_catalogue():
    """Assessment years 2566 and 2567 with indicators 1–3 and OIT items (O1, O2 in 2566; O1 in 2567)."""
    iit = ToolFactory(code="IIT", name="IIT", order=1)
    oit = ToolFactory(code="OIT", name="OIT", order=3)
    y66, y67 = AssessmentYearFactory(year=2566), AssessmentYearFactory(year=2567)
    ind = {}
    for y in (y66, y67):
        for n in (1, 2, 3):
            ind[(y.year, n)] = IndicatorFactory(year=y, tool=iit if n < 3 else oit, number=n,
                                                name=f"ตัวชี้วัด {n} ปี {y.year}")
    oits = {
        (2566, "O1"): OITItemFactory(year=y66, number=1, code="O1", title="โครงสร้าง 66"),
        (2566, "O2"): OITItemFactory(year=y66, number=2, code="O2", title="ข้อมูลผู้บริหาร 66"),
        (2567, "O1"): OITItemFactory(year=y67, number=1, code="O1", title="โครงสร้าง 67"),
    }
    return {"tools": {"IIT": iit, "OIT": oit}, "years": {2566: y66, 2567: y67}, "ind": ind, "oit": oits}
