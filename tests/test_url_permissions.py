"""The permission matrix of every URL: for each named URL pattern of the project (walked from
``get_resolver()``, nested includes and namespaces included) and each member of the cast, the status a
GET must answer, written out in ``EXPECTED``. Adding a URL without saying who may open it fails
(``test_every_url_pattern_has_an_expectation``), and so does an expectation for a URL that is gone.

Left out of the matrix, each for a reason:
- ``admin/``: Django's admin has its own rules (``is_staff``); ``test_admin_sends_non_staff_to_its_login``
  checks that anonymous users and organisation members who are not Django staff only reach its login.
- unnamed ``static()``/media patterns: they exist only with DEBUG (never in tests or production).
The language helpers (``set_language``, ``language``) are in the matrix: both are public redirects.

URL arguments come from objects of organisation A (slug ``org-a``) built in ``world`` through
reports.workflow.transitions (notify=False, render=False). A key "name [variant]" opens the same pattern with other
arguments: a draft's public address, an internal evidence file, or org B's object inside org A's
workspace URL (the classic "change the id" attack) — all 404.

The second test posts to every POST-only workspace view without a CSRF token (signed in as admin_a):
403 and nothing changed; the same POST with the token is accepted (so the 403 was the missing token).
"""
import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ita.models import AssessmentResult, ResultEvent
from measures.models import Measure
from orgs.invitations import EXPIRY, hash_token
from orgs.models import Division, Invitation, Membership, Organisation
from reports.entries import services as entry_services
from reports.models import Document, Evidence, Memo, WorkflowEvent
from reports.pdf import font_files
from reports.workflow import transitions
from oit import services as oit_services
from oit.models import Answer as OITAnswer, Register, Row

from .factories import AssessmentYearFactory, MeasureFactory

pytestmark = pytest.mark.django_db

FY = 2568
RESULT_YEAR = 2567  # the assessment year whose weaknesses the measures of FY answer
EMPTY_YEAR = 2566  # an assessment year without a result of org A
USERS = ("anonymous", "staff_a", "approver_a", "admin_a", "staff_b")
INVITATION_TOKEN, REVOKED_TOKEN = "matrix-invitation-link", "matrix-revoked-link"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# --- the matrix ------------------------------------------------------------------------------------
# 302 for anonymous = sent to sign in (checked), except the public redirects in PUBLIC_REDIRECTS.
# 404 for staff_b on org A's workspace: the organisation is resolved through the user's memberships.
# 405: POST-only. reports' POST-only views check the method before the member (405 for everyone; they
# show nothing either way); orgs' and measures:move check the member first (302 / 403 / 404, then 405).

EXPECTED = {
    # public site: no sign-in, the same for everyone
    "public:directory":       {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:organisation":    {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:embed":           {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:itas":            {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # the invitee's page: whoever holds a usable link (signed in or not); any other link is 404
    "invitation_accept":      {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "invitation_accept [revoked link]":
                              {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "invitation_accept [unknown link]":
                              {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # organisations of the installation: installation administrators (superusers) only, as the catalogue
    "installation:organisations":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "installation:organisation_add":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "installation:organisation_import":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "installation:organisation_invite":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # the national picture and its open data (public)
    "public:stats":           {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:stats_province":  {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:stats_publication_csv":
                              {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:stats_levels_csv":
                              {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # the ITA catalogue upload: installation administrators (superusers) only, an organisation admin too is 404
    "ita_catalogue":          {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "public:document":        {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:document_pdf":    {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:revision":        {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:revision_pdf":    {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:evidence":        {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # a draft has no public address, whoever asks (also its own organisation's members)
    "public:document [draft]":     {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "public:document_pdf [draft]": {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "public:revision [draft]":     {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "public:revision_pdf [draft]": {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # an internal evidence file of the published revision is not public
    "public:evidence [internal file]":
                              {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # open data (CSV of organisations and published ITA results), the sitemap
    "public:opendata_organisations":
                              {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:opendata_results":
                              {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "sitemap":                {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "sitemap_section":        {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # the load balancer's health check: public, says only "ok" / "error" per part
    "healthz":                {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # sign-in and passwords (django.contrib.auth.urls)
    "login":                  {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "logout":                 {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "password_change":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "password_change_done":   {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "password_reset":         {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "password_reset_done":    {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "password_reset_confirm": {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "password_reset_complete": {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    # the signed-in user's own two-factor sign-in (no organisation, no object of anyone else in the URL); the
    # cast has no authenticator app: verify goes on to the workspace, the recovery codes and turning off
    # go back to the status page (tests/test_two_factor.py covers users with an app)
    "two_factor:status":      {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "two_factor:setup":       {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "two_factor:verify":      {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    "two_factor:recovery_codes":
                              {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    "two_factor:turn_off":    {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    # language switch: public redirects
    "set_language":           {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    "language":               {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    # /favicon.ico, asked for by browsers: a public redirect to the static icon
    "favicon":                {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    # workspace: the start page sends each member to their own organisation
    "workspace_start":        {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 302},
    "dashboard":              {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    # ITA results (any member)
    "ita:results":            {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "ita:result_detail":      {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "ita:result_create":      {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 404},
    "ita:result_create [no result yet]":
                              {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "ita:result_edit":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    # confirming a result for publication: approvers and organisation admins, POST only (member first)
    "ita:result_confirm":     {"anonymous": 302, "staff_a": 403, "approver_a": 405, "admin_a": 405, "staff_b": 404},
    # measures (any member)
    "measures:index":         {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 404},
    "measures:list":          {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:create":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:import":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:copy":          {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:edit":          {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:delete":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "measures:move":          {"anonymous": 302, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 404},
    "measures:edit [org B's measure]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "measures:delete [org B's measure]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # organisation settings (organisation admins only)
    "orgs:settings":          {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:divisions":         {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:division_edit":     {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:division_move":     {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:division_delete":   {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:members":           {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    # invitations (POST only, member first): invite, resend (a new link), revoke
    "orgs:member_invite":     {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:invitation_resend": {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:invitation_revoke": {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:member_password_reset":
                              {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:member_edit":       {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:member_active":     {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 405, "staff_b": 404},
    "orgs:history":           {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 200, "staff_b": 404},
    "orgs:division_edit [org B's division]":
                              {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 404, "staff_b": 404},
    "orgs:division_delete [org B's division]":
                              {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 404, "staff_b": 404},
    "orgs:member_edit [org B's membership]":
                              {"anonymous": 302, "staff_a": 403, "approver_a": 403, "admin_a": 404, "staff_b": 404},
    # documents (any member; the services decide the workflow by role)
    "reports:index":          {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:create":         {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "reports:detail":         {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:preview":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:pdf":            {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:docx":           {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:xlsx":           {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:memo":           {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "reports:settings":       {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:transition":     {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "reports:entry":          {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:evidence":       {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "reports:evidence_delete": {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "reports:evidence_public": {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "reports:font":           {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    # the OIT register (any member; confirmation by approvers in the service); POST-only views check the
    # method first (405 for everyone), like reports'
    "oit:index":              {"anonymous": 302, "staff_a": 302, "approver_a": 302, "admin_a": 302, "staff_b": 404},
    "oit:register":           {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "oit:row":                {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "oit:answer_file":        {"anonymous": 302, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 404},
    "oit:start":              {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:paste":              {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:carry_forward":      {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:confirm":            {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:quick_add":          {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:add_link":           {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:add_file":           {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:change_link":        {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:reviewed":           {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:remove":             {"anonymous": 405, "staff_a": 405, "approver_a": 405, "admin_a": 405, "staff_b": 405},
    "oit:row [org B's row]":  {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "oit:answer_file [org B's file]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # the public ITAS export and the files of a confirmed OIT register; a file added after the confirmation
    # is not public
    "public:itas_export":     {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:oit_file":        {"anonymous": 200, "staff_a": 200, "approver_a": 200, "admin_a": 200, "staff_b": 200},
    "public:oit_file [not confirmed]":
                              {"anonymous": 404, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    # province oversight: only users with an oversight scope (none in the cast; tests/test_oversight.py)
    "oversight:index":        {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "oversight:province":     {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "oversight:export":       {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "oversight:organisation": {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:detail [org B's document]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:preview [org B's document]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:pdf [org B's document]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:docx [org B's document]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:settings [org B's document]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:entry [org B's entry]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
    "reports:evidence [org B's evidence]":
                              {"anonymous": 302, "staff_a": 404, "approver_a": 404, "admin_a": 404, "staff_b": 404},
}

PUBLIC_REDIRECTS = {"set_language", "language", "favicon"}  # a 302 for anonymous that is not "sign in first"

# The URL arguments of each key, from the objects of ``world`` (w).
A = "org-a"
URL_KWARGS = {
    "public:directory": lambda w: {},
    "public:organisation": lambda w: {"slug": A},
    "public:embed": lambda w: {"slug": A},
    "public:itas": lambda w: {"slug": A, "fiscal_year": FY},
    "ita_catalogue": lambda w: {},
    "public:stats": lambda w: {},
    "public:stats_province": lambda w: {"province": "ขอนแก่น"},
    "public:stats_publication_csv": lambda w: {},
    "public:stats_levels_csv": lambda w: {},
    "invitation_accept": lambda w: {"token": INVITATION_TOKEN},
    "invitation_accept [revoked link]": lambda w: {"token": REVOKED_TOKEN},
    "invitation_accept [unknown link]": lambda w: {"token": "no-such-link"},
    "installation:organisations": lambda w: {},
    "installation:organisation_add": lambda w: {},
    "installation:organisation_import": lambda w: {},
    "installation:organisation_invite": lambda w: {"pk": w.b.organisation.pk},
    "public:document": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6"},
    "public:document_pdf": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6"},
    "public:revision": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6", "revision": 1},
    "public:revision_pdf": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6", "revision": 1},
    "public:evidence": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6", "revision": 1,
                                  "evidence_pk": w.public_file.pk},
    "public:document [draft]": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-12"},
    "public:document_pdf [draft]": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-12"},
    "public:revision [draft]": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-12", "revision": 1},
    "public:revision_pdf [draft]": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-12", "revision": 1},
    "public:evidence [internal file]": lambda w: {"slug": A, "fiscal_year": FY, "kind": "progress-6", "revision": 1,
                                                  "evidence_pk": w.internal_file.pk},
    "public:opendata_organisations": lambda w: {},
    "public:opendata_results": lambda w: {},
    "sitemap": lambda w: {},
    "sitemap_section": lambda w: {"section": "documents"},
    "healthz": lambda w: {},
    "login": lambda w: {},
    "logout": lambda w: {},
    "password_change": lambda w: {},
    "password_change_done": lambda w: {},
    "password_reset": lambda w: {},
    "password_reset_done": lambda w: {},
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
    "password_reset_complete": lambda w: {},
    "two_factor:status": lambda w: {},
    "two_factor:setup": lambda w: {},
    "two_factor:verify": lambda w: {},
    "two_factor:recovery_codes": lambda w: {},
    "two_factor:turn_off": lambda w: {},
    "set_language": lambda w: {},
    "language": lambda w: {"code": "en"},
    "favicon": lambda w: {},
    "workspace_start": lambda w: {},
    "dashboard": lambda w: {"org_slug": A},
    "ita:results": lambda w: {"org_slug": A},
    "ita:result_detail": lambda w: {"org_slug": A, "year": RESULT_YEAR},
    "ita:result_create": lambda w: {"org_slug": A, "year": RESULT_YEAR},
    "ita:result_create [no result yet]": lambda w: {"org_slug": A, "year": EMPTY_YEAR},
    "ita:result_edit": lambda w: {"org_slug": A, "year": RESULT_YEAR},
    "ita:result_confirm": lambda w: {"org_slug": A, "year": RESULT_YEAR},
    "oversight:index": lambda w: {},
    "oversight:province": lambda w: {"province": "ขอนแก่น"},
    "oversight:export": lambda w: {"province": "ขอนแก่น"},
    "oversight:organisation": lambda w: {"province": "ขอนแก่น", "org_slug": A},
    "oit:index": lambda w: {"org_slug": A},
    "oit:register": lambda w: {"org_slug": A, "year": FY},
    "oit:row": lambda w: {"org_slug": A, "pk": w.oit_row.pk},
    "oit:answer_file": lambda w: {"org_slug": A, "pk": w.oit_file.pk},
    "oit:start": lambda w: {"org_slug": A, "year": FY},
    "oit:paste": lambda w: {"org_slug": A, "year": FY},
    "oit:carry_forward": lambda w: {"org_slug": A, "year": FY},
    "oit:confirm": lambda w: {"org_slug": A, "year": FY},
    "oit:quick_add": lambda w: {"org_slug": A, "pk": w.oit_row.pk},
    "oit:add_link": lambda w: {"org_slug": A, "pk": w.oit_row.pk},
    "oit:add_file": lambda w: {"org_slug": A, "pk": w.oit_row.pk},
    "oit:change_link": lambda w: {"org_slug": A, "pk": w.oit_link.pk},
    "oit:reviewed": lambda w: {"org_slug": A, "pk": w.oit_link.pk},
    "oit:remove": lambda w: {"org_slug": A, "pk": w.oit_link.pk},
    "oit:row [org B's row]": lambda w: {"org_slug": A, "pk": w.b.oit_row.pk},
    "oit:answer_file [org B's file]": lambda w: {"org_slug": A, "pk": w.b.oit_file.pk},
    "public:itas_export": lambda w: {"slug": A, "fiscal_year": FY, "fmt": "csv"},
    "public:oit_file": lambda w: {"slug": A, "fiscal_year": FY, "answer_pk": w.oit_file.pk},
    "public:oit_file [not confirmed]": lambda w: {"slug": A, "fiscal_year": FY, "answer_pk": w.oit_late_file.pk},

    "measures:index": lambda w: {"org_slug": A},
    "measures:list": lambda w: {"org_slug": A, "fiscal_year": FY},
    "measures:create": lambda w: {"org_slug": A, "fiscal_year": FY},
    "measures:import": lambda w: {"org_slug": A, "fiscal_year": FY},
    "measures:copy": lambda w: {"org_slug": A, "fiscal_year": FY},
    "measures:edit": lambda w: {"org_slug": A, "pk": w.measure.pk},
    "measures:delete": lambda w: {"org_slug": A, "pk": w.measure.pk},
    "measures:move": lambda w: {"org_slug": A, "pk": w.measure.pk, "direction": "down"},
    "measures:edit [org B's measure]": lambda w: {"org_slug": A, "pk": w.b.measure.pk},
    "measures:delete [org B's measure]": lambda w: {"org_slug": A, "pk": w.b.measure.pk},
    "orgs:settings": lambda w: {"org_slug": A},
    "orgs:divisions": lambda w: {"org_slug": A},
    "orgs:division_edit": lambda w: {"org_slug": A, "pk": w.division.pk},
    "orgs:division_move": lambda w: {"org_slug": A, "pk": w.division.pk},
    "orgs:division_delete": lambda w: {"org_slug": A, "pk": w.division.pk},
    "orgs:members": lambda w: {"org_slug": A},
    "orgs:member_invite": lambda w: {"org_slug": A},
    "orgs:invitation_resend": lambda w: {"org_slug": A, "pk": w.invitation.pk},
    "orgs:invitation_revoke": lambda w: {"org_slug": A, "pk": w.invitation.pk},
    "orgs:member_password_reset": lambda w: {"org_slug": A, "pk": w.membership.pk},
    "orgs:member_edit": lambda w: {"org_slug": A, "pk": w.membership.pk},
    "orgs:member_active": lambda w: {"org_slug": A, "pk": w.membership.pk},
    "orgs:history": lambda w: {"org_slug": A},
    "orgs:division_edit [org B's division]": lambda w: {"org_slug": A, "pk": w.b.division.pk},
    "orgs:division_delete [org B's division]": lambda w: {"org_slug": A, "pk": w.b.division.pk},
    "orgs:member_edit [org B's membership]": lambda w: {"org_slug": A, "pk": w.b.membership.pk},
    "reports:index": lambda w: {"org_slug": A},
    "reports:create": lambda w: {"org_slug": A},
    "reports:detail": lambda w: {"org_slug": A, "pk": w.draft.pk},
    "reports:preview": lambda w: {"org_slug": A, "pk": w.draft.pk},
    "reports:pdf": lambda w: {"org_slug": A, "pk": w.published.pk},  # the stored PDF (no rendering)
    "reports:docx": lambda w: {"org_slug": A, "pk": w.draft.pk},
    "reports:xlsx": lambda w: {"org_slug": A, "fiscal_year": FY},
    "reports:memo": lambda w: {"org_slug": A, "pk": w.draft.pk},
    "reports:settings": lambda w: {"org_slug": A, "pk": w.draft.pk},
    "reports:transition": lambda w: {"org_slug": A, "pk": w.draft.pk, "action": "submit"},
    "reports:entry": lambda w: {"org_slug": A, "pk": w.draft.pk, "entry_pk": w.entry.pk},
    "reports:evidence": lambda w: {"org_slug": A, "pk": w.draft.pk, "evidence_pk": w.evidence_file.pk},
    "reports:evidence_delete": lambda w: {"org_slug": A, "pk": w.draft.pk, "evidence_pk": w.evidence_link.pk},
    "reports:evidence_public": lambda w: {"org_slug": A, "pk": w.draft.pk, "evidence_pk": w.evidence_link.pk},
    "reports:font": lambda w: {"org_slug": A, "name": w.font_name},
    "reports:detail [org B's document]": lambda w: {"org_slug": A, "pk": w.b.document.pk},
    "reports:preview [org B's document]": lambda w: {"org_slug": A, "pk": w.b.document.pk},
    "reports:pdf [org B's document]": lambda w: {"org_slug": A, "pk": w.b.document.pk},
    "reports:docx [org B's document]": lambda w: {"org_slug": A, "pk": w.b.document.pk},
    "reports:settings [org B's document]": lambda w: {"org_slug": A, "pk": w.b.document.pk},
    "reports:entry [org B's entry]": lambda w: {"org_slug": A, "pk": w.b.document.pk, "entry_pk": w.b.entry.pk},
    "reports:evidence [org B's evidence]": lambda w: {"org_slug": A, "pk": w.b.document.pk,
                                                      "evidence_pk": w.b.evidence_file.pk},
}


# --- the URL patterns ------------------------------------------------------------------------------

def url_names():
    """The names ("namespace:name") of every URL pattern, walking nested resolvers. Django's admin and
    the unnamed static/media patterns (DEBUG only) are left out; any other unnamed pattern is reported."""
    names, unnamed = set(), []

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    if pattern.callback.__module__ != "django.views.static":
                        unnamed.append(prefix + str(pattern.pattern))
                    continue
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return names, unnamed


def base_name(key):
    return key.split(" [", 1)[0]


def test_every_url_pattern_has_an_expectation():
    names, unnamed = url_names()
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    plain = {key for key in EXPECTED if key == base_name(key)}
    missing = sorted(names - plain)
    assert not missing, f"URL patterns without an entry in EXPECTED (say who may open them): {missing}"
    gone = sorted({base_name(key) for key in EXPECTED} - names)
    assert not gone, f"EXPECTED names URL patterns that no longer exist: {gone}"


def test_the_matrix_is_complete():
    assert set(URL_KWARGS) == set(EXPECTED)
    for key, row in EXPECTED.items():
        assert tuple(row) == USERS, key
        assert set(row.values()) <= {200, 302, 403, 404, 405}, key


# --- the world of organisation A (and a little of B) -----------------------------------------------

class World:
    pass


def _pdf_upload(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _store_pdf(document):
    """The stored PDF of a published document, as publication would have stored it (render=False skips
    WeasyPrint; which file is served is not what this test is about, who gets it is)."""
    document.pdf_file.save(f"{document.pk}-stored.pdf", ContentFile(PDF), save=False)
    Document.objects.filter(pk=document.pk).update(pdf_file=document.pdf_file.name)


def _oit_row(org):
    register = Register.objects.create(organisation=org, year=FY)
    return Row.objects.create(register=register, code="O1", number=1, title="โครงสร้าง")


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker, tmp_path_factory, build_cast):
    """The world, built once for the module in a transaction rolled back at its end (and its files in a
    directory of its own). Each test runs in a savepoint of it (the ``db`` fixture): what a test changes in
    the database is undone before the next one, which finds the world as built."""
    media = tmp_path_factory.mktemp("world-media")
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MEDIA_ROOT=str(media)):
        world = build_world(**build_cast())
        world.media = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(world_once, db, settings):
    settings.MEDIA_ROOT = str(world_once.media)
    return world_once


def build_world(org_a, org_b, staff_a, approver_a, admin_a, staff_b, admin_b):
    w = World()
    # ITA results: a result of org A for RESULT_YEAR; EMPTY_YEAR exists without one.
    assessment_year = AssessmentYearFactory(year=RESULT_YEAR)
    AssessmentYearFactory(year=EMPTY_YEAR)
    AssessmentResult.objects.create(organisation=org_a, year=assessment_year, total_score="85.50")

    w.measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, report_rounds=[6, 12],
                               title="มาตรการเปิดเผยข้อมูลสาธารณะ")
    w.division = Division.objects.get(organisation=org_a, name="กองคลัง")
    w.membership = Membership.objects.get(organisation=org_a, user=staff_a)
    w.invitation = Invitation.objects.create(
        organisation=org_a, email="invitee@example.org", role="staff", token_hash=hash_token(INVITATION_TOKEN),
        expires_at=timezone.now() + EXPIRY, invited_by=admin_a)
    Invitation.objects.create(
        organisation=org_a, email="revoked@example.org", role="staff", token_hash=hash_token(REVOKED_TOKEN),
        expires_at=timezone.now() + EXPIRY, invited_by=admin_a, status="revoked")

    # Published: the 6-month report, revision 1, with a public and an internal evidence file.
    report = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=6, actor=staff_a,
                                         notify=False)
    entry = report.entries.get()
    w.public_file = entry_services.add_evidence_file(entry, upload=_pdf_upload("ภาพกิจกรรม.pdf"), title="ภาพกิจกรรม",
                                                     actor=staff_a, is_public=True)
    w.internal_file = entry_services.add_evidence_file(entry, upload=_pdf_upload("รายชื่อ.pdf"), title="รายชื่อ",
                                                       actor=staff_a, is_public=False)
    transitions.submit_document(report, actor=staff_a, notify=False)
    transitions.approve_document(report, actor=approver_a, notify=False)
    transitions.publish_document(report, actor=approver_a, notify=False, render=False)
    w.published = Document.objects.get(pk=report.pk)
    _store_pdf(w.published)

    # Draft: the 12-month report with its own evidence file and link.
    w.draft = transitions.create_document(org_a, fiscal_year=FY, kind="progress", round=12, actor=staff_a,
                                          notify=False)
    w.entry = w.draft.entries.get()
    w.evidence_file = entry_services.add_evidence_file(w.entry, upload=_pdf_upload("รายงาน.pdf"), title="รายงาน",
                                                       actor=staff_a)
    w.evidence_link = entry_services.add_evidence_link(w.entry, url="https://www.example.go.th/news/1", title="ข่าว",
                                                       actor=staff_a)
    w.font_name = next(iter(font_files().values())).name

    # Organisation B's own objects, to put into org A's URLs.
    w.b = World()
    w.b.organisation = org_b
    w.b.measure = MeasureFactory(organisation=org_b, fiscal_year=FY, order=1, report_rounds=[6])
    w.b.division = Division.objects.get(organisation=org_b)
    w.b.membership = Membership.objects.get(organisation=org_b, user=admin_b)
    w.b.document = transitions.create_document(org_b, fiscal_year=FY, kind="progress", round=6, actor=staff_b,
                                               notify=False)
    w.b.entry = w.b.document.entries.get()
    w.b.evidence_file = entry_services.add_evidence_file(w.b.entry, upload=_pdf_upload("บี.pdf"), actor=staff_b)

    # OIT registers: org A's of FY with a link and a file, confirmed, then a file added; org B's with a file.
    w.oit_row = _oit_row(org_a)
    w.oit_link = oit_services.add_link(w.oit_row, url="https://www.example.go.th/o1", actor=staff_a)
    w.oit_file = oit_services.add_file(w.oit_row, upload=_pdf_upload("โครงสร้าง.pdf"), actor=staff_a)
    register = Register.objects.get(pk=w.oit_row.register_id)
    oit_services.confirm_register(register, actor=approver_a, expected_version=register.version)
    w.oit_late_file = oit_services.add_file(w.oit_row, upload=_pdf_upload("ภายหลัง.pdf"), actor=staff_a)
    w.b.oit_row = _oit_row(org_b)
    w.b.oit_file = oit_services.add_file(w.b.oit_row, upload=_pdf_upload("บี.pdf"), actor=staff_b)

    w.users = {"staff_a": staff_a, "approver_a": approver_a, "admin_a": admin_a, "staff_b": staff_b}
    return w


def url_of(key, w):
    return reverse(base_name(key), kwargs=URL_KWARGS[key](w))


def sign_in(client, w, user):
    if user != "anonymous":
        client.force_login(w.users[user])
    return client


# --- the matrix test ---------------------------------------------------------------------------------

CASES = [pytest.param(key, user, id=f"{key} as {user}") for key in EXPECTED for user in USERS]


@pytest.mark.parametrize("key, user", CASES)
def test_get_answers_the_expected_status(client, world, key, user):
    url = url_of(key, world)
    response = sign_in(client, world, user).get(url)
    expected = EXPECTED[key][user]
    assert response.status_code == expected, f"GET {url} as {user}: {response.status_code}, expected {expected}"
    if expected == 302:
        to_login = response["Location"].startswith(reverse("login"))
        if user == "anonymous" and base_name(key) not in PUBLIC_REDIRECTS:
            assert to_login, f"{url} sends anonymous users to {response['Location']}, not to sign in"
        else:
            assert not to_login, f"{url} sends {user} (signed in) to sign in again"
    if key == "workspace_start" and user != "anonymous":
        own = "org-b" if user == "staff_b" else "org-a"
        assert response["Location"] == reverse("dashboard", args=[own])


def test_the_workspace_pages_show_org_a_data_only_to_its_members(client, world):
    """The 200s above are org A's own pages: the measure's title is on them (and never for staff_b)."""
    url = reverse("measures:list", args=[A, FY])
    for user in ("staff_a", "approver_a", "admin_a"):
        client.force_login(world.users[user])
        assert world.measure.title in client.get(url).content.decode()
    client.force_login(world.users["staff_b"])
    response = client.get(url)
    assert response.status_code == 404 and world.measure.title not in response.content.decode()


# --- Django admin ------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", USERS, ids=[f"admin:index as {u}" for u in USERS])
def test_admin_sends_non_staff_to_its_login(client, world, user):
    """Organisation roles are not Django staff: everyone of the cast gets only the admin's login."""
    for url in (reverse("admin:index"), reverse("admin:reports_document_changelist")):
        response = sign_in(client, world, user).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_admin_opens_for_a_superuser(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert admin_site.is_registered(Document)


INSTALLATION_PAGES = ["installation:organisations", "installation:organisation_add",
                      "installation:organisation_import", "installation:organisation_invite"]


def test_the_installation_pages_open_for_a_superuser_only_and_want_the_csrf_token(admin_client, admin_user, world):
    """The installation:* keys are 404 for every organisation role above; an installation administrator
    opens them, and a POST without the CSRF token changes nothing."""
    for key in INSTALLATION_PAGES:
        assert admin_client.get(url_of(key, world)).status_code == 200, key
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = database_state()
    for key in INSTALLATION_PAGES:
        assert client.post(url_of(key, world), {"step": "apply"}).status_code == 403, key
    assert database_state() == before


def test_the_catalogue_page_opens_for_a_superuser_only_and_wants_the_csrf_token(admin_client, admin_user):
    """ita_catalogue is 404 for every organisation role above; an installation administrator opens it."""
    assert admin_client.get(reverse("ita_catalogue")).status_code == 200
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(reverse("ita_catalogue"), {"step": "preview"}).status_code == 403


# --- CSRF: POST-only workspace views refuse a POST without the token ---------------------------------

WORKSPACE_NAMESPACES = ("ita:", "measures:", "orgs:", "reports:", "oit:")
POST_ONLY_WORKSPACE = [key for key in EXPECTED
                       if key == base_name(key) and key.startswith(WORKSPACE_NAMESPACES)
                       and EXPECTED[key]["admin_a"] == 405]

# What each POST sends: data that would change something if it were accepted.
POST_DATA = {
    "reports:create": lambda w: {"kind": "measures", "fiscal_year": str(FY), "round": ""},
    "reports:memo": lambda w: {"memo-subject": "ขออนุมัติ"},
    "reports:transition": lambda w: {"version": str(Document.objects.get(pk=w.draft.pk).version)},
    "reports:evidence_delete": lambda w: {},
    "reports:evidence_public": lambda w: {"public": "1"},
    "orgs:division_move": lambda w: {"direction": "up"},
    "orgs:member_invite": lambda w: {"invite-email": "someone@example.org", "invite-role": "staff"},
    "orgs:invitation_resend": lambda w: {},
    "orgs:invitation_revoke": lambda w: {},
    "orgs:member_password_reset": lambda w: {},
    "orgs:member_active": lambda w: {"active": "0"},
    "measures:move": lambda w: {},
    "ita:result_confirm": lambda w: {"version": str(AssessmentResult.objects.get(year__year=RESULT_YEAR).version)},
    "oit:start": lambda w: {},
    "oit:paste": lambda w: {"text": "O1 https://www.example.go.th/pasted"},
    "oit:carry_forward": lambda w: {},
    "oit:confirm": lambda w: {"version": str(Register.objects.get(pk=w.oit_row.register_id).version)},
    "oit:quick_add": lambda w: {"url": "https://www.example.go.th/quick"},
    "oit:add_link": lambda w: {"url": "https://www.example.go.th/added", "title": "x"},
    "oit:add_file": lambda w: {"file": _pdf_upload("เพิ่ม.pdf")},
    "oit:change_link": lambda w: {"url": "https://www.example.go.th/changed", "title": "x"},
    "oit:reviewed": lambda w: {},
    "oit:remove": lambda w: {},
}


def database_state():
    """Everything a refused POST must leave as it was."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Document, Memo, WorkflowEvent, Evidence, Division, Membership, Measure, AssessmentResult,
                      ResultEvent, Register, Row, OITAnswer, Invitation, Organisation)
    }


def test_the_csrf_list_is_complete():
    assert set(POST_ONLY_WORKSPACE) == set(POST_DATA)


@pytest.mark.parametrize("key", POST_ONLY_WORKSPACE, ids=[f"{k} without CSRF token as admin_a"
                                                           for k in POST_ONLY_WORKSPACE])
def test_post_only_workspace_views_refuse_a_post_without_csrf_token(world, key):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin_a"])
    url = url_of(key, world)
    assert url.startswith(f"/w/{A}/")
    data = POST_DATA[key](world)
    before = database_state()

    response = client.post(url, data)
    assert response.status_code == 403, f"POST {url} without a CSRF token: {response.status_code}"
    assert database_state() == before

    # The same POST with the token is not refused: the 403 was the missing token, not the role.
    assert client.get(reverse("dashboard", args=[A])).status_code == 200  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert accepted.status_code in (200, 302, 400), f"POST {url} with the token: {accepted.status_code}"
