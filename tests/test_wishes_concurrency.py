"""Twenty members claim one wish at the same moment through the HTTP API: exactly one gets it.

Runs on PostgreSQL only: the live server is threaded, so the twenty requests really run at once
on twenty database connections and the database decides who wins. SQLite serialises every
write transaction, which would prove nothing about the conditional UPDATE.
"""

import datetime
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

CLAIMERS = 20


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises all writes); "
                    "run with DATABASE_URL=postgres://...")


def _claim(url, token, barrier, results, index):
    request = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results[index] = (response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        results[index] = (error.code, json.loads(error.read()))


def test_twenty_simultaneous_claims_one_winner(on_postgres, live_server, tree, users,
                                               make_user):
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from gongjian.wishes import services
    from gongjian.wishes.models import Round, State, Step, Wish, WishEvent

    today = timezone.localdate()
    round_ = Round.objects.create(name="并发测试", org=tree.s, starts_on=today,
                                  ends_on=today + datetime.timedelta(days=3))
    wish = services.post_wish(Wish(title="一个新书包", group="youth",
                                   recipient_name="王小明"), user=users.resident)
    services.publish(wish, user=users.community_a, round=round_)
    members = [make_user("member", tree.a1) for _ in range(CLAIMERS)]
    tokens = [Token.objects.create(user=m).key for m in members]

    url = f"{live_server.url}/api/v1/wishes/{wish.pk}/claim/"
    barrier = threading.Barrier(CLAIMERS)
    results = [None] * CLAIMERS
    threads = [threading.Thread(target=_claim, args=(url, token, barrier, results, i))
               for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    statuses = sorted(status for status, _body in results)
    assert statuses == [200] + [409] * (CLAIMERS - 1), results
    refusals = {body["detail"] for status, body in results if status == 409}
    assert refusals == {"该心愿已被认领。"}
    winner = next(members[i] for i, (status, _b) in enumerate(results) if status == 200)
    stored = Wish.objects.get(pk=wish.pk)
    assert stored.state == State.CLAIMED and stored.claimed_by_id == winner.pk
    assert WishEvent.objects.filter(wish=wish, step=Step.CLAIM).count() == 1
    assert WishEvent.objects.filter(wish=wish, step=Step.CLAIM).get().actor_id == winner.pk
