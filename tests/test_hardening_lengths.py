"""Free-text fields have a length limit, and every way in (pages, API, services) refuses an
over-long text naming the field and its limit in Chinese."""

import datetime

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gongjian.core.services import DomainError

LIMITS = {
    ("orgs", "Organization", "note"): 1000,
    ("orgs", "Grid", "note"): 1000,
    ("orgs", "Unit", "note"): 1000,
    ("projects", "Project", "dock_plan"): 4000,
    ("projects", "Project", "acceptance_comment"): 2000,
    ("wishes", "Round", "description"): 2000,
    ("wishes", "Wish", "description"): 1000,
    ("wishes", "Wish", "fulfil_note"): 1000,
    ("wishes", "Wish", "thanks"): 500,
    ("alliance", "Alliance", "description"): 2000,
    ("alliance", "Meeting", "agenda"): 4000,
    ("alliance", "Meeting", "minutes"): 10000,
    ("alliance", "Task", "completion_note"): 2000,
    ("alliance", "Agreement", "rights_obligations"): 5000,
    ("alliance", "Agreement", "service_items"): 5000,
    ("enterprise", "Case", "description"): 4000,
    ("enterprise", "Case", "resolution"): 2000,
    ("enterprise", "Case", "close_reason"): 1000,
    ("enterprise", "CaseVisit", "done"): 2000,
}
# Apps whose models are looked after elsewhere.
OTHERS = {"orglife", "checklists", "volunteer", "core"}


@pytest.mark.parametrize("key, limit", LIMITS.items(), ids=lambda v: str(v))
def test_free_text_fields_have_their_limit(key, limit):
    app, model, field = key
    assert apps.get_model(app, model)._meta.get_field(field).max_length == limit


def test_no_free_text_field_is_left_unlimited():
    from gongjian.core.workflow import HistoryEvent

    # History lines (core.workflow) take their notes from steps whose forms bound them;
    # encrypted fields hold what their own validated fields allow.
    history = {f.name for f in HistoryEvent._meta.get_fields()}
    unlimited = [f"{m._meta.label}.{f.name}" for m in apps.get_models()
                 if m.__module__.startswith("gongjian.") and m._meta.app_label not in OTHERS
                 for f in m._meta.concrete_fields
                 if type(f) is models.TextField and not f.max_length and f.editable
                 and not (issubclass(m, HistoryEvent) and f.name in history)]
    assert not unlimited


def test_a_service_refuses_an_over_long_text_naming_field_and_limit(users, tree):
    from gongjian.orgs import services
    from gongjian.orgs.models import Unit

    unit = Unit.objects.get(pk=tree.unit_a.pk)
    unit.note = "长" * 1001
    with pytest.raises(DomainError) as refused:
        services.save_unit(unit, user=users.street)
    assert refused.value.status == 400 and refused.value.field == "note"
    assert refused.value.message.startswith("备注不能超过 1000 个字（现为 1001 个）")
    assert Unit.objects.get(pk=unit.pk).note == ""


def test_the_api_refuses_an_over_long_agenda_in_chinese(users, tree):
    from gongjian.alliance import services
    from gongjian.alliance.models import Meeting

    alliance = services.create_alliance(user=users.street, org=tree.s, name="红盟同心",
                                        founded_on=datetime.date(2020, 5, 1))
    services.add_member(alliance, user=users.street, unit=tree.unit_a, liaison=tree.person_a,
                        joined_on=datetime.date(2020, 5, 1))
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=users.street)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post("/api/v1/meetings/", {
        "alliance": alliance.pk, "title": "联席会议", "place": "党群服务中心",
        "starts_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "agenda": "议" * 4001}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "议程不能超过 4000 个字（现为 4001 个），请精简后再提交。",
                               "field": "agenda"}
    assert not Meeting.objects.exists()


def test_a_page_form_refuses_an_over_long_note_in_chinese(client, users, tree):
    client.force_login(users.street)
    response = client.post(reverse("unit_edit", args=[tree.unit_a.code]), {
        "code": tree.unit_a.code, "name": tree.unit_a.name, "unit_type": tree.unit_a.unit_type,
        "org": tree.a.code, "note": "长" * 1001})
    assert response.status_code in (200, 400)
    text = response.content.decode()
    assert "1000" in text and ("不超过" in text or "不能超过" in text)
    assert 'maxlength="1000"' in text
