"""Thirty volunteers sign up for ten places at the same moment through the HTTP API: exactly ten
are accepted, twenty wait in line, nobody twice. Then, all at once again, each of them signs up
a second time: every one is refused.

Runs on PostgreSQL only: the live server is threaded, so the requests really run at once on
thirty database connections and the row lock on the activity decides. SQLite serialises every
write transaction, which would prove nothing.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from access_volunteer import make_activity
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection

VOLUNTEERS = 30
PLACES = 10

# The live server listens with a backlog of 10: thirty connections opened at once would be
# reset by the kernel before Django sees them. A longer queue lets all thirty in at once (set
# at import, before the session's live server starts).
ThreadedWSGIServer.request_queue_size = max(ThreadedWSGIServer.request_queue_size, 64)


@pytest.fixture
def on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL (SQLite serialises all writes); "
                    "run with DATABASE_URL=postgres://...")


def _post(url, token, barrier, results, index):
    request = urllib.request.Request(url, data=b"{}", method="POST", headers={
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results[index] = (response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        results[index] = (error.code, json.loads(error.read()))


def _all_at_once(url, tokens):
    barrier = threading.Barrier(len(tokens))
    results = [None] * len(tokens)
    threads = [threading.Thread(target=_post, args=(url, token, barrier, results, i))
               for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_thirty_sign_up_at_once_for_ten_places(on_postgres, live_server, tree, users,
                                               make_user):
    from rest_framework.authtoken.models import Token

    from gongjian.volunteer.models import Signup, Volunteer

    activity = make_activity(tree, users, "全城清洁", places=PLACES)
    people = [make_user("member", tree.a1) for _ in range(VOLUNTEERS)]
    tokens = [Token.objects.create(user=p).key for p in people]
    url = f"{live_server.url}/api/v1/activities/{activity.pk}/signup/"

    results = _all_at_once(url, tokens)
    assert sorted(status for status, _body in results) == [200] * VOLUNTEERS, results
    rows = Signup.objects.filter(activity=activity)
    assert rows.count() == VOLUNTEERS
    assert rows.filter(state="accepted").count() == PLACES
    assert rows.filter(state="waiting").count() == VOLUNTEERS - PLACES
    assert rows.values("volunteer").distinct().count() == VOLUNTEERS
    assert Volunteer.objects.filter(account__in=people).count() == VOLUNTEERS
    # The answers agree with the rows: each caller was told their own state.
    told = sorted(body["my_signup"] for _status, body in results)
    assert told == ["accepted"] * PLACES + ["waiting"] * (VOLUNTEERS - PLACES)

    again = _all_at_once(url, tokens)
    assert {status for status, _body in again} == {409}, again
    assert {body["detail"] for _status, body in again} == {"您已报名该活动，不能重复报名。"}
    assert Signup.objects.filter(activity=activity).count() == VOLUNTEERS

    # The first one waiting moves up when an accepted one cancels.
    first_waiting = rows.filter(state="waiting").order_by("created_at", "id").first()
    leaver = rows.filter(state="accepted").first().volunteer.account
    from gongjian.volunteer import services

    services.cancel_signup(activity, user=leaver)
    first_waiting.refresh_from_db()
    assert first_waiting.state == "accepted"
    assert Signup.objects.filter(activity=activity, state="accepted").count() == PLACES
