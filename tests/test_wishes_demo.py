"""The demo's micro-wishes give seed 002's figures, counted from the wish rows through the API:
两期“微心愿”，为辖区50余名青少年和10余名老人圆梦; and the demo accounts have wishes to see."""

from rest_framework.test import APIClient


def _client(username):
    from gongjian.core.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def test_two_rounds_in_longhai_serve_50_young_and_10_elderly(demo):
    rows = _client("longhai").get("/api/v1/wish-rounds/").json()["results"]
    rounds = [r for r in rows if r["org"] == "ZZ-LHML"]
    assert len(rounds) == 2
    fulfilled = {}
    for r in rounds:
        for g in r["groups"]:
            fulfilled[g["group"]] = fulfilled.get(g["group"], 0) + g["fulfilled"]
    assert 50 <= fulfilled["youth"] < 60
    assert 10 <= fulfilled["elderly"] < 20
    # Plausible states: some still waiting to be claimed or reviewed.
    states = {row["state"] for row in _client("longhai").get(
        "/api/v1/wishes/", {"page_size": 500}).json()["results"]}
    assert {"submitted", "published", "claimed", "fulfilled", "confirmed"} <= states


def test_demo_accounts_have_wishes(demo):
    mine = _client("resident").get("/api/v1/wishes/", {"mine": "posted"}).json()
    assert {row["state"] for row in mine["results"]} >= {"submitted", "published", "fulfilled",
                                                          "confirmed"}
    claimed = _client("member").get("/api/v1/wishes/", {"mine": "claimed"}).json()
    assert {row["state"] for row in claimed["results"]} >= {"claimed", "fulfilled"}
    wall = _client("member").get("/api/v1/wishes/", {"state": "published"}).json()
    assert wall["count"] >= 3
    unit = _client("liaison").get("/api/v1/wishes/", {"mine": "claimed"}).json()
    assert unit["count"] >= 1
