"""The error pages (settings: handler400/403/404/500 in ita_portal/urls.py, CSRF_FAILURE_VIEW): in the
site's layout and the user's language, each with the ways back (home, workspace, sign-in).

The 500 page is rendered without the request (no context processors, no session, no database: whatever
failed may fail again), and should even its template fail, a fixed Thai page is sent instead.
"""
from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# The last resort when even the 500 template cannot be rendered (Thai: an error on the server; back home).
FALLBACK_500 = (
    '<!doctype html><html lang="th"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>เกิดข้อผิดพลาดในระบบ · ITA Portal</title></head><body><main>"
    "<h1>เกิดข้อผิดพลาดในระบบ</h1><p>ระบบขัดข้องชั่วคราว ข้อมูลที่ส่งมาอาจยังไม่ได้บันทึก กรุณาลองใหม่อีกครั้งในภายหลัง</p>"
    '<p><a href="/">กลับหน้าแรก</a></p></main></body></html>'
)


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    too_big = isinstance(exception, RequestDataTooBig)
    return render(request, template_name, {"too_big": too_big}, status=400)


@requires_csrf_token
def permission_denied(request, exception, template_name="403.html"):
    return render(request, template_name, status=403)


@requires_csrf_token
def page_not_found(request, exception, template_name="404.html"):
    return render(request, template_name, {"request_path": request.path}, status=404)


def server_error(request, template_name="500.html"):
    try:
        body = loader.get_template(template_name).render({"anyone": True})  # no request: nothing that could fail again
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        logger.exception("The 500 page could not be rendered; the fixed page was sent")
        body = FALLBACK_500
    return HttpResponseServerError(body)


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    """settings.CSRF_FAILURE_VIEW: the form was sent without a valid security token (an old tab, cookies
    off, or a session that expired); nothing was saved."""
    return render(request, template_name, {"reason": reason}, status=403)
