"""The link checker of the OIT register (oit/linkcheck.py) against local servers started here: what it
reports for each kind of answer, its limits (per host, overall, redirects, retries, deadline), its
User-Agent, and that it refuses local addresses unless allowed. Nothing reaches the internet."""
import time

import pytest

from oit import linkcheck
from oit.linkcheck import Policy

from .helpers.http import LocalSite, refused_url, self_signed_certificate, silent_server

LOCAL = Policy(allow_private=True, timeout=2, backoff=0.05, deadline=30)


@pytest.fixture
def site():
    with LocalSite() as running:
        yield running


def test_each_kind_of_answer(site):
    urls = {name: site.url(path) for name, path in [
        ("ok", "/ok"), ("missing", "/missing"), ("broken", "/broken"), ("loop", "/loop"), ("moved", "/moved")]}
    results = linkcheck.check_links(urls.values(), LOCAL)
    assert results[urls["ok"]].ok and results[urls["ok"]].status == 200 and results[urls["ok"]].error == ""
    missing = results[urls["missing"]]
    assert not missing.ok and missing.status == 404 and missing.error == linkcheck.HTTP
    assert missing.attempts == 1  # a 404 is not retried
    broken = results[urls["broken"]]
    assert not broken.ok and broken.status == 500 and broken.attempts == 1 + LOCAL.retries  # 5xx retried
    assert results[urls["loop"]].error == linkcheck.REDIRECTS and not results[urls["loop"]].ok
    moved = results[urls["moved"]]
    assert moved.ok and moved.final_url == site.url("/ok")


def test_head_first_then_get_where_head_is_refused(site):
    results = linkcheck.check_links([site.url("/ok"), site.url("/head-refused")], LOCAL)
    assert all(result.ok for result in results.values())
    methods = {path: [m for m, p, _ in site.requests if p == path] for path in ("/ok", "/head-refused")}
    assert methods["/ok"] == ["HEAD"]  # no GET when HEAD answers
    assert methods["/head-refused"] == ["HEAD", "GET"]


def test_its_own_user_agent(site):
    linkcheck.check_links([site.url("/ok")], LOCAL)
    assert {agent for _, _, agent in site.requests} == {LOCAL.user_agent}
    assert LOCAL.user_agent.startswith("ITAPortal-LinkChecker/")


def test_a_passing_second_try_after_backoff(site):
    result = linkcheck.check_links([site.url("/flaky")], LOCAL)[site.url("/flaky")]
    assert result.ok and result.attempts == 2
    assert [m for m, p, _ in site.requests] == ["HEAD", "GET", "HEAD"]  # HEAD and GET, then a second try


def test_a_refused_connection_is_broken_with_its_reason():
    url = refused_url()
    result = linkcheck.check_links([url], LOCAL)[url]
    assert not result.ok and result.error == linkcheck.CONNECT and result.status is None
    assert result.attempts == 1 + LOCAL.retries


def test_a_server_that_never_answers_times_out_and_the_run_keeps_its_deadline():
    with silent_server() as base:
        urls = [f"{base}/a", f"{base}/b"]
        results = linkcheck.check_links(urls, Policy(allow_private=True, timeout=0.5, retries=1, backoff=0.05))
        assert all(r.error == linkcheck.TIMEOUT and r.attempts == 2 for r in results.values())

        # A deadline shorter than one request: the run ends at the deadline and says what was not checked.
        started = time.monotonic()
        late = linkcheck.check_links([f"{base}/c", f"{base}/d"],
                                     Policy(allow_private=True, timeout=30, retries=3, deadline=1))
        elapsed = time.monotonic() - started
    assert {r.error for r in late.values()} == {linkcheck.DEADLINE}
    assert elapsed < 10  # 30-second timeouts, four tries each: without the deadline this would be minutes


def test_a_self_signed_certificate_is_reported_not_ignored(tmp_path):
    with LocalSite(tls_context=self_signed_certificate(tmp_path)) as tls_site:
        url = tls_site.url("/ok")
        result = linkcheck.check_links([url], LOCAL)[url]
        assert not result.ok and result.error == linkcheck.TLS
        assert "certificate" in result.detail.lower()
        assert tls_site.requests == []  # the request never went through


def test_requests_per_host_and_overall_are_bounded():
    with LocalSite(slow=0.15) as one, LocalSite(slow=0.15) as two, LocalSite(slow=0.15) as three:
        sites = (one, two, three)
        urls = [site.url(f"/slow/{i}") for site in sites for i in range(8)]
        results = linkcheck.check_links(urls, Policy(allow_private=True, concurrency=4, per_host=2, deadline=60))
        assert all(result.ok for result in results.values())
        assert max(site.max_in_flight for site in sites) == 2  # per host: reached, never passed
        # overall: never more than 4 at once across the three hosts (each host holds at most 2)
        assert sum(site.max_in_flight for site in sites) >= 4


def test_overall_concurrency_is_never_passed():
    with LocalSite(slow=0.1) as a, LocalSite(slow=0.1) as b, LocalSite(slow=0.1) as c:
        peak = {"now": 0, "max": 0}
        sites = (a, b, c)

        def counting(route):
            def wrapped(method, path, count):
                peak["now"] += 1
                peak["max"] = max(peak["max"], peak["now"])
                try:
                    return route(method, path, count)
                finally:
                    peak["now"] -= 1
            return wrapped

        for site in sites:
            site.route = counting(site.route)
        urls = [site.url(f"/slow/{i}") for site in sites for i in range(6)]
        results = linkcheck.check_links(urls, Policy(allow_private=True, concurrency=3, per_host=3, deadline=60))
    assert all(result.ok for result in results.values())
    assert peak["max"] == 3


def test_local_addresses_are_refused_unless_allowed(site):
    url = site.url("/ok")
    result = linkcheck.check_links([url], Policy())[url]
    assert not result.ok and result.error == linkcheck.BLOCKED and site.requests == []
    assert linkcheck.check_links([url], LOCAL)[url].ok


@pytest.mark.parametrize("url", ["ftp://example.org/file", "javascript:alert(1)", "not a url", "http://"])
def test_what_is_not_an_http_address_is_invalid_without_a_request(url):
    result = linkcheck.check_links([url], LOCAL)[url]
    assert not result.ok and result.error == linkcheck.INVALID and result.attempts == 0


def test_duplicates_are_checked_once(site):
    url = site.url("/ok")
    results = linkcheck.check_links([url, url, url], LOCAL)
    assert list(results) == [url] and site.count("/ok") == 1
