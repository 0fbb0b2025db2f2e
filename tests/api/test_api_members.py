"""Roster API: list with the roster's filters, create, retrieve, partial update and reveal.
Every response is validated against the OpenAPI schema by the `api_as` clients."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.members import idnumber
from gongjian.members.models import Membership, Person

MEMBERS = "/api/v1/members/"
FULL_ID_A = "11010519491231002X"
FULL_PHONE_A = "13800138000"


def make_id(birth, seq="123", area="110105"):
    first17 = area + birth.replace("-", "") + seq
    return first17 + idnumber.check_char(first17)


def payload(**changes):
    """The documented minimum for registering a member."""
    data = {"name": "王秀兰", "sex": "女", "id_number": make_id("1990-03-15", "124"),
            "birth_date": "1990-03-15", "ethnicity": "汉族", "education": "大学专科",
            "org": "JS-A1", "category": "正式党员", "joined_on": "2015-07-01",
            "phone": "13912345678"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return (Person.objects.count(), Membership.objects.count(),
            AuditEntry.objects.exclude(event__in=["token", "login_failed"]).count())


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def street(users, api_as):
    return api_as(users.street)


@pytest.fixture
def comm_a(users, api_as):
    return api_as(users.community_a)


# ---- create -------------------------------------------------------------------------------

def test_create_with_the_documented_payload(comm_a, tree):
    response = comm_a.post(MEMBERS, payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    membership = Membership.objects.get(pk=body["id"])
    assert (membership.org, membership.category, membership.standing) == (tree.a1, "正式党员",
                                                                         "正常")
    assert membership.person.id_number == make_id("1990-03-15", "124")
    assert body["id_number_masked"] == "110105********" + make_id("1990-03-15", "124")[14:]
    assert body["phone_masked"] == "139****5678"
    assert "id_number" not in body and "phone" not in body
    assert make_id("1990-03-15", "124") not in response.content.decode()
    assert (body["org"], body["org_name"], body["age"]) == ("JS-A1", "达嘉馨园小区党支部",
                                                            membership.person.age_on(
                                                                timezone.localdate()))
    assert [h["id"] for h in body["history"]] == [membership.pk]


def tomorrow():
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


# (case, changes, field, text): the refusal names the field, in Chinese.
REFUSALS = [
    ("check digit", {"id_number": "110105199003151240"}, "id_number", "校验位"),
    ("birth date vs ID", {"birth_date": "1990-03-16"}, "birth_date", "不一致"),
    ("joined before 18", {"joined_on": "2008-03-14"}, "joined_on", "未满 18 周岁"),
    ("confirmed before joined", {"confirmed_on": "2015-06-30"}, "confirmed_on",
     "转正日期不能早于入党日期"),
    ("future joined", {"joined_on": tomorrow()}, "joined_on", "入党日期不能晚于今天"),
    ("second membership", {"id_number": FULL_ID_A, "birth_date": "1949-12-31"}, "id_number",
     "已有在册的党籍"),
    ("unknown org", {"org": "NO-SUCH"}, "org", "NO-SUCH"),
    ("org out of reach", {"org": "JS-B1"}, "org", "JS-B1"),
    ("sex label", {"sex": "M"}, "sex", "男、女"),
    ("education label", {"education": "大专"}, "education", "大学专科"),
    ("category label", {"category": "党员"}, "category", "正式党员"),
    ("missing id", {"id_number": None}, "id_number", ""),
]


def refused_field(response):
    """(field, message) of a 400: serializer errors {field: [...]}, service {detail, field}."""
    body = response.json()
    if "detail" in body:
        return body.get("field"), body["detail"]
    (field, messages), = body.items()
    return field, " ".join(messages)


@pytest.mark.parametrize(("case", "changes", "field", "text"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_create_refusals(comm_a, tree, case, changes, field, text):
    before = counts()
    response = comm_a.post(MEMBERS, payload(**changes), format="json")
    assert response.status_code == 400, response.content
    got_field, message = refused_field(response)
    assert got_field == field and text in message, response.json()
    assert counts() == before


def test_create_forbidden_for_grid_staff(users, api_as, tree):
    before = counts()
    assert api_as(users.grid_a).post(MEMBERS, payload(), format="json").status_code == 403
    assert counts() == before


def test_create_needs_json(comm_a, tree):
    assert comm_a.post(MEMBERS, payload(), format="multipart").status_code == 415


# ---- read -----------------------------------------------------------------------------------

def test_list_and_detail_mask_numbers(street, tree):
    response = street.get(MEMBERS)
    assert names(response) == ["林急", "张华娟"]
    row = response.json()["results"][1]
    assert (row["id_number_masked"], row["phone_masked"]) == ("110105********002X",
                                                              "138****8000")
    assert FULL_ID_A not in response.content.decode()
    assert FULL_PHONE_A not in response.content.decode()
    detail = street.get(f"{MEMBERS}{tree.membership_a.pk}/")
    assert detail.status_code == 200
    assert detail.json()["id_number_masked"] == "110105********002X"
    assert FULL_ID_A not in detail.content.decode()


@pytest.mark.parametrize(("who", "expected"), [
    ("street", ["林急", "张华娟"]),
    ("community_a", ["张华娟"]),
    ("community_b", ["林急"]),
    ("grid_a", ["张华娟"]),
    ("member", []),
])
def test_list_is_scoped(users, api_as, tree, who, expected):
    assert names(api_as(getattr(users, who)).get(MEMBERS)) == expected


def test_other_community_gets_404(users, api_as, tree):
    client = api_as(users.community_b)
    url = f"{MEMBERS}{tree.membership_a.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"address": "x"}, format="json").status_code == 404
    assert client.post(url + "reveal/", {"field": "phone"}, format="json").status_code == 404


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "zhj"}, ["张华娟"]),
    ({"q": "linji"}, ["林急"]),
    ({"q": FULL_ID_A}, ["张华娟"]),
    ({"q": "440524188001010014"}, ["林急"]),
    ({"q": "4405241880"}, []),
    ({"org": "JS-A"}, ["张华娟"]),
    ({"org": "NO-SUCH"}, []),
    ({"sex": "男"}, ["林急"]),
    ({"education": "大学本科"}, ["张华娟"]),
    ({"category": "预备党员"}, []),
    ({"standing": "正常"}, ["林急", "张华娟"]),
    ({"age_band": "61岁及以上"}, ["林急", "张华娟"]),
    ({"age_band": "30岁及以下"}, []),
    ({"active": "0"}, []),
    ({"active": "all"}, ["林急", "张华娟"]),
    ({"sort": "-joined_on"}, ["张华娟", "林急"]),
])
def test_list_filters(street, tree, params, expected):
    assert names(street.get(MEMBERS, params)) == expected


@pytest.mark.parametrize(("params", "field"), [
    ({"sex": "M"}, "sex"), ({"education": "大专"}, "education"),
    ({"age_band": "40"}, "age_band"), ({"sort": "age"}, "sort"), ({"active": "yes"}, "active"),
])
def test_bad_filter_is_400_naming_it(street, tree, params, field):
    response = street.get(MEMBERS, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_list_does_not_query_per_row(street, tree, django_assert_max_num_queries):
    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = street.get(MEMBERS)
        return len(queries), response.json()["count"]

    small, small_rows = measure()
    for i in range(12):
        assert street.post(MEMBERS, payload(name=f"党员{i}", id_number=make_id(
            "1990-03-15", f"{100 + 2 * i:03d}"), phone=None), format="json").status_code == 201
    large, large_rows = measure()
    assert (large_rows, large) == (small_rows + 12, small)
    # Token and user, grants, count, page.
    with django_assert_max_num_queries(4):
        street.get(MEMBERS, {"page_size": 500})


# ---- update -----------------------------------------------------------------------------------

def test_partial_update(comm_a, tree, fresh):
    url = f"{MEMBERS}{tree.membership_a.pk}/"
    response = comm_a.patch(url, {"phone": "13700001111", "standing": "流动",
                                  "org": "JS-A1G"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["phone_masked"], body["standing"], body["org"]) == ("137****1111", "流动",
                                                                   "JS-A1G")
    person = fresh(tree.person_a)
    assert (person.phone, person.id_number, person.org) == ("13700001111", FULL_ID_A, tree.a1g)


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"birth_date": "1949-12-30"}, "birth_date", "不一致"),
    ({"id_number": "440524188001010014"}, "id_number", "已登记为另一人员"),
    ({"confirmed_on": "1975-01-01"}, "confirmed_on", "转正日期不能早于入党日期"),
    ({"org": "JS-B1"}, "org", "JS-B1"),
    ({"sex": "x"}, "sex", "男、女"),
])
def test_partial_update_refusals(comm_a, tree, fresh, changes, field, text):
    before = counts()
    response = comm_a.patch(f"{MEMBERS}{tree.membership_a.pk}/", changes, format="json")
    assert response.status_code == 400, response.content
    got_field, message = refused_field(response)
    assert got_field == field and text in message, response.json()
    assert counts() == before
    assert fresh(tree.person_a).birth_date == datetime.date(1949, 12, 31)


def test_partial_update_of_ended_membership_is_409(comm_a, tree):
    Membership.objects.filter(pk=tree.membership_a.pk).update(active=False)
    response = comm_a.patch(f"{MEMBERS}{tree.membership_a.pk}/", {"address": "x"},
                            format="json")
    assert response.status_code == 409


def test_grid_staff_may_read_not_write(users, api_as, tree):
    client = api_as(users.grid_a)
    url = f"{MEMBERS}{tree.membership_a.pk}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"address": "x"}, format="json").status_code == 403
    client.validate = False  # PUT is not an operation of the schema
    assert client.put(url, payload(), format="json").status_code in (403, 405)


# ---- reveal -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value"), [("id_number", FULL_ID_A), ("phone", FULL_PHONE_A)])
def test_reveal_is_logged(comm_a, users, tree, field, value):
    response = comm_a.post(f"{MEMBERS}{tree.membership_a.pk}/reveal/", {"field": field},
                           format="json")
    assert response.status_code == 200
    assert response.json() == {"value": value}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(event="reveal")
    assert (entry.actor, entry.object_type, entry.object_id) == (
        users.community_a, "members.person", str(tree.person_a.pk))


@pytest.mark.parametrize(("who", "status"), [("grid_a", 403), ("community_b", 404),
                                             ("member", 404), ("liaison_a", 403)])
def test_reveal_refused(users, api_as, tree, who, status):
    response = api_as(getattr(users, who)).post(
        f"{MEMBERS}{tree.membership_a.pk}/reveal/", {"field": "id_number"}, format="json")
    assert response.status_code == status
    assert not AuditEntry.objects.filter(event="reveal").exists()


def test_reveal_bad_field(street, tree):
    response = street.post(f"{MEMBERS}{tree.membership_a.pk}/reveal/", {"field": "name"},
                           format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "field" and "id_number" in response.json()["detail"]
    assert not AuditEntry.objects.filter(event="reveal").exists()


# ---- schema ---------------------------------------------------------------------------------

def test_schema_documents_members_without_warnings(validated_schema):
    paths = validated_schema["paths"]
    assert set(paths["/api/v1/members/"]) == {"get", "post"}
    assert set(paths["/api/v1/members/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/members/{id}/reveal/"]) == {"post"}
    params = {p["name"] for p in paths["/api/v1/members/"]["get"]["parameters"]}
    assert params == {"q", "org", "category", "standing", "sex", "education", "age_band",
                      "active", "sort", "page", "page_size"}
