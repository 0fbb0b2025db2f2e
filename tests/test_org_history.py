"""An organisation's history (组织沿革) on the shared history model: written only through
record_event, shown with core/_history.html, still answered as `kind` by the API, and kept
by the migration that moved it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from gongjian.orgs import services
from gongjian.orgs.models import OrgEvent


@pytest.fixture
def api_as(db):
    """`api_as(user)`: an API client sending that user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return make


def test_every_org_change_is_written_by_record_event(tree, users, monkeypatch):
    from gongjian.core import workflow

    written = []

    def spy(subject, step, user=None, **kwargs):
        written.append((subject.code, step))
        return workflow.record_event(subject, step, user, **kwargs)

    monkeypatch.setattr(services, "record_event", spy)
    org = services.create_organization(user=users.street, parent=tree.a, code="JS-A3",
                                       name="金安第三支部", kind="branch", sector="residential")
    services.update_organization(org, user=users.street, name="金安三支部")
    services.move_organization(org, user=users.street, new_parent=tree.b)
    services.dissolve_organization(org, user=users.street, reason="支部调整")
    assert written == [("JS-A3", "established"), ("JS-A3", "renamed"), ("JS-A3", "moved"),
                       ("JS-A", "child_out"), ("JS-B", "child_in"), ("JS-A3", "dissolved")]
    rows = list(OrgEvent.objects.filter(org=org))  # newest first, as the page and API show
    assert [r.step for r in rows] == ["dissolved", "moved", "renamed", "established"]
    assert {(r.actor, r.actor_name) for r in rows} == {(users.street, "street")}
    assert rows[0].text == "撤销：支部调整" and rows[0].summary == rows[0].text
    assert rows[-1].step_label == "设立"
    assert (rows[0].state_from, rows[0].state_to, rows[0].note) == ("", "", "")


def test_a_command_line_org_has_history_without_an_actor(tree):
    row = OrgEvent.objects.get(org=tree.s)
    assert (row.step, row.actor, row.actor_name) == ("established", None, "")


def test_the_org_page_shows_the_history_with_the_shared_partial(tree, users, client):
    services.update_organization(tree.a1, user=users.street, name="达嘉馨园党支部")
    client.force_login(users.community_a)
    page = client.get(reverse("org_detail", args=["JS-A1"])).content.decode()
    history = page[page.index('id="history"'):]
    assert "组织沿革" in history
    assert history.index("名称由“达嘉馨园小区党支部”改为“达嘉馨园党支部”") < history.index("设立党支部")
    assert " · street" in history  # who acted, by the name the history keeps


def test_the_api_still_answers_the_step_as_kind(tree, users, api_as):
    body = api_as(users.street).get("/api/v1/orgs/JS-A1/").json()
    assert [(e["kind"], e["text"]) for e in body["events"]] == [
        ("established", "在“金安社区党委”之下设立党支部")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_history(tree, users):
    services.update_organization(tree.a1, user=users.street, name="达嘉馨园党支部")
    executor = MigrationExecutor(connection)
    executor.migrate([("orgs", "0004_default_grid_roles")])
    old = executor.loader.project_state([("orgs", "0004_default_grid_roles")]).apps
    OldEvent = old.get_model("orgs", "OrgEvent")
    assert sorted(OldEvent.objects.filter(org__code="JS-A1").values_list("kind", flat=True)) \
        == ["established", "renamed"]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    rows = list(OrgEvent.objects.filter(org=tree.a1))
    assert [(r.step, r.text, r.actor_name) for r in rows] == [
        ("renamed", "名称由“达嘉馨园小区党支部”改为“达嘉馨园党支部”", "street"),
        ("established", "在“金安社区党委”之下设立党支部", "")]
