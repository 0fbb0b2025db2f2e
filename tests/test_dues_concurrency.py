"""Two payments for the same member and month at the same moment, through the HTTP API: exactly
one is written, the other is refused in Chinese. Runs on PostgreSQL only (the threaded live
server, real connections; the account's row lock and the unique ledger row decide). SQLite
serialises every write, which would prove nothing."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

TRIES = 6


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises all writes); "
                    "run with DATABASE_URL=postgres://...")


def _post(url, token, body, barrier, results, index):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results[index] = (response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        results[index] = (error.code, json.loads(error.read()))


def test_simultaneous_payments_for_one_month_write_one(on_postgres, live_server, tree, users,
                                                       make_user):
    from rest_framework.authtoken.models import Token

    from gongjian.dues import services
    from gongjian.dues.models import Month, Payment

    services.set_base(tree.membership_a, user=users.community_a, year=2026, kind="in_service",
                      base="8000")
    staff = [users.community_a, users.street] + [make_user("branch_committee", tree.a1)
                                                 for _ in range(TRIES - 2)]
    tokens = [Token.objects.create(user=u).key for u in staff]
    body = {"membership": tree.membership_a.pk, "first_month": "2026-01",
            "paid_on": "2026-01-10", "method": "cash"}
    url = f"{live_server.url}/api/v1/dues/payments/"
    barrier = threading.Barrier(TRIES)
    results = [None] * TRIES
    threads = [threading.Thread(target=_post, args=(url, token, body, barrier, results, i))
               for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    statuses = sorted(status for status, _body in results)
    assert statuses == [201] + [409] * (TRIES - 1), results
    assert {body["detail"] for status, body in results if status == 409} == {
        "2026年1月党费已交纳（已缴至2026年1月），不能重复登记。"}
    assert Payment.objects.count() == 1
    assert Month.objects.filter(account__membership=tree.membership_a).count() == 1
