"""While the browser tests' Playwright loop runs in the main thread, the tests still use the main thread's one
database connection (tests/conftest.py): no second connection opened, none left behind to keep the worker's
test database from being dropped at the end."""
import asyncio

import pytest
from django.db import connection, connections


@pytest.mark.django_db(transaction=True)
def test_the_main_thread_keeps_its_connection_while_the_browser_loop_runs(page, live_server, django_user_model):
    page.goto(live_server.url + "/")
    loop = asyncio.get_running_loop()  # Playwright's: it runs in this thread while the test does
    django_user_model.objects.count()
    during = connections["default"]
    asyncio._set_running_loop(None)  # as if no loop ran: what the test used before the first browser test
    try:
        without = connections["default"]
    finally:
        asyncio._set_running_loop(loop)
    assert during is without
    assert connection.connection is not None and connections.all(initialized_only=True) == [during]
