"""Roster pages: list, search and filters, a member's record, registering and editing, and
the privacy rules (masked numbers, reveal on an explicit click, logged)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.members import idnumber, services
from gongjian.members.models import Membership, Person

LIST = "/members/"
NEW = "/members/new/"
FULL_ID_A = "11010519491231002X"
MASKED_ID_A = "110105********002X"
FULL_PHONE_A = "13800138000"
MASKED_PHONE_A = "138****8000"


def make_id(birth, seq="123", area="110105"):
    """A valid GB 11643 number for a birth date (YYYY-MM-DD); sequence odd for men."""
    first17 = area + birth.replace("-", "") + seq
    return first17 + idnumber.check_char(first17)


def member_data(**changes):
    """A valid registration: a woman born 1990-03-15 joining A1 in 2015."""
    data = {
        "name": "王秀兰", "sex": "女", "id_number": make_id("1990-03-15", "124"),
        "birth_date": "1990-03-15", "ethnicity": "汉族", "education": "大学专科",
        "phone": "13912345678", "address": "金安路 1 号", "work_unit": "", "job_post": "",
        "org": "JS-A1", "category": "正式党员", "joined_on": "2015-07-01",
        "confirmed_on": "2016-07-01", "standing": "正常",
    }
    data.update(changes)
    return data


def add_member(org, name, sex, birth, seq, *, education="大学本科", category="正式党员",
               joined="2010-07-01", standing="正常", active=True):
    """A person and membership written directly (fixtures for reading tests)."""
    from gongjian.core import audit

    with audit.acting_as(suppress=True):
        person = Person.objects.create(name=name, sex=sex,
                                       birth_date=datetime.date.fromisoformat(birth),
                                       id_number=make_id(birth, seq), education=education,
                                       org=org)
        joined_on = datetime.date.fromisoformat(joined)
        membership = Membership.objects.create(
            person=person, org=org, category=category, joined_on=joined_on,
            confirmed_on=None if category == "预备党员" else joined_on.replace(
                year=joined_on.year + 1),
            standing=standing, active=active,
            ended_on=None if active else datetime.date(2020, 1, 1))
    return membership


def years_ago(years):
    """A birth date (YYYY-MM-DD) giving that full age today."""
    today = timezone.localdate()
    return (today.replace(year=today.year - years, day=1) - datetime.timedelta(days=1)).isoformat()


def counts():
    return (Person.objects.count(), Membership.objects.count(), AuditEntry.objects.exclude(
        event__in=["login", "login_failed", "token"]).count())


def names(response):
    assert response.status_code == 200
    return [m.person.name for m in response.context["page"]]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# ---- list, search, filters -------------------------------------------------------------------

def test_list_shows_masked_numbers_only(tree, users, as_user):
    response = as_user(users.street).get(LIST)
    body = response.content.decode()
    assert names(response) == ["林急", "张华娟"]  # by pinyin: lin ji, zhang hua juan
    assert MASKED_ID_A in body and MASKED_PHONE_A in body
    assert FULL_ID_A not in body and FULL_PHONE_A not in body


def test_community_sees_only_its_own_members(tree, users, as_user):
    client = as_user(users.community_a)
    assert names(client.get(LIST)) == ["张华娟"]
    assert names(client.get(LIST, {"q": "林急"})) == []
    assert names(client.get(LIST, {"org": "JS-B"})) == []
    assert client.get(f"/members/{tree.membership_b.pk}/").status_code == 404
    assert client.get(f"/members/{tree.membership_b.pk}/edit/").status_code == 404
    assert names(as_user(users.community_b).get(LIST)) == ["林急"]


def test_member_account_without_a_person_sees_nobody(tree, users, as_user):
    assert names(as_user(users.member).get(LIST)) == []


@pytest.mark.parametrize(("q", "expected"), [
    ("张华娟", ["张华娟"]),
    ("张", ["张华娟"]),           # names match from their start
    ("华", []),
    ("zhanghuajuan", ["张华娟"]),
    ("zhj", ["张华娟"]),          # initials
    ("ZHJ", ["张华娟"]),
    ("lj", ["林急"]),
    (FULL_ID_A, ["张华娟"]),       # exact ID number through the blind index
    (FULL_ID_A.lower(), ["张华娟"]),
    ("110105", []),               # no partial ID search: the number is encrypted
    ("11010519491231002", []),
])
def test_search(tree, users, as_user, q, expected):
    assert names(as_user(users.street).get(LIST, {"q": q})) == expected


@pytest.fixture
def roster_rows(tree):
    """Extra members in A1, A1G and B1 with varied attributes."""
    return {
        "young": add_member(tree.a1g, "李小燕", "女", "2000-02-02", "222",
                            education="研究生", category="预备党员",
                            joined=str(timezone.localdate().replace(year=2024, month=6,
                                                                    day=1))),
        "mobile": add_member(tree.a1, "赵强", "男", years_ago(38), "131", education="高中",
                             standing="流动", joined="2008-07-01"),
        "ended": add_member(tree.a1, "钱旧", "男", "1950-01-01", "111", active=False,
                            joined="1980-07-01"),
        "b": add_member(tree.b1, "孙高", "男", "1960-08-08", "151", joined="1990-07-01"),
    }


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["林急", "李小燕", "孙高", "张华娟", "赵强"]),  # by pinyin
    ({"org": "JS-A1"}, ["李小燕", "张华娟", "赵强"]),
    ({"org": "JS-A1G"}, ["李小燕"]),
    ({"org": "JS-B"}, ["林急", "孙高"]),
    ({"org": "NO-SUCH"}, []),
    ({"category": "预备党员"}, ["李小燕"]),
    ({"standing": "流动"}, ["赵强"]),
    ({"sex": "女"}, ["李小燕", "张华娟"]),
    ({"education": "高中"}, ["林急", "赵强"]),
    ({"education": "研究生", "sex": "女"}, ["李小燕"]),
    ({"age_band": "61岁及以上"}, ["林急", "孙高", "张华娟"]),
    ({"age_band": "36-40岁"}, ["赵强"]),
    ({"age_band": "30岁及以下"}, ["李小燕"]),
    ({"active": "0"}, ["钱旧"]),
    ({"active": "all", "org": "JS-A1"}, ["李小燕", "钱旧", "张华娟", "赵强"]),
    ({"sort": "-joined_on", "org": "JS-A1"}, ["李小燕", "赵强", "张华娟"]),
    ({"sort": "birth_date", "org": "JS-A1"}, ["张华娟", "赵强", "李小燕"]),
])
def test_filters(users, as_user, roster_rows, params, expected):
    assert names(as_user(users.street).get(LIST, params)) == expected


def test_filter_form_keeps_values_and_export_link_keeps_query(tree, users, as_user):
    response = as_user(users.street).get(LIST, {"sex": "女", "q": "zhj", "page": "1"})
    body = response.content.decode()
    assert 'value="zhj"' in body
    assert '<option value="女" selected>' in body
    try:
        export = reverse("member_export")
    except NoReverseMatch:
        assert "导出" not in body  # the export page is not installed
    else:
        assert f'href="{export}?sex=%E5%A5%B3&amp;q=zhj"' in body


def test_pagination(tree, users, as_user):
    for i in range(55):
        add_member(tree.a1, f"党员{i:02d}", "男", "1980-01-01", f"{i * 2 + 101:03d}")
    client = as_user(users.street)
    first = client.get(LIST)
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 57
    assert "page=2" in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 7


def test_list_does_not_query_per_row(tree, users, as_user, django_assert_max_num_queries):
    client = as_user(users.community_a)
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(LIST, {"org": "JS-A1"}).status_code == 200
    for i in range(30):
        add_member(tree.a1, f"党员{i:02d}", "女", "1980-01-01", f"{i * 2 + 100:03d}")
    with CaptureQueriesContext(connection) as large:
        response = client.get(LIST, {"org": "JS-A1"})
    assert len(response.context["page"]) == 31
    assert len(large) == len(small)
    # Session, user, grants, the org filter (roster and page heading), count, rows, demo
    # setting, unread notifications, and the session's idle-time touch (savepoint, update,
    # release).
    with django_assert_max_num_queries(12):
        client.get(LIST, {"org": "JS-A1"})


def test_menu_entry(tree, users, as_user):
    body = as_user(users.grid_a).get("/").content.decode()
    assert 'href="/members/"' in body and "bi-people-fill" in body
    assert 'href="/members/"' not in as_user(users.liaison_a).get("/").content.decode()


# ---- detail, reveal -------------------------------------------------------------------------

def detail(client, membership):
    return client.get(f"/members/{membership.pk}/")


def test_detail_masks_and_offers_reveal_to_those_with_the_right(tree, users, as_user):
    body = detail(as_user(users.community_a), tree.membership_a).content.decode()
    assert MASKED_ID_A in body and MASKED_PHONE_A in body and FULL_ID_A not in body
    assert body.count('name="field"') == 2 and "显示" in body
    assert "达嘉馨园小区党支部" in body and "1975-07-01" in body

    grid = detail(as_user(users.grid_a), tree.membership_a)
    body = grid.content.decode()
    assert grid.status_code == 200 and MASKED_ID_A in body and FULL_ID_A not in body
    assert 'name="field"' not in body  # grid staff have no personal-data right


def test_detail_shows_history(tree, users, as_user):
    old = Membership.objects.get(pk=tree.membership_a.pk)
    from gongjian.core import audit

    with audit.acting_as(suppress=True):
        Membership.objects.filter(pk=old.pk).update(active=False, standing="已转出",
                                                    ended_on=datetime.date(2000, 1, 1),
                                                    end_reason="转出至外区")
        new = Membership.objects.create(person=tree.person_a, org=tree.a2, category="正式党员",
                                        joined_on=old.joined_on, confirmed_on=old.confirmed_on)
    response = detail(as_user(users.community_a), new)
    history = response.context["history"]
    assert [h.pk for h in history] == [new.pk, old.pk]
    assert "转出至外区" in response.content.decode()
    assert response.context["can_change"]
    # The ended membership shows, cannot be edited.
    ended = detail(as_user(users.community_a), old)
    assert not ended.context["can_change"]
    assert as_user(users.community_a).get(f"/members/{old.pk}/edit/").status_code == 404


def reveal(client, membership, field="id_number", htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/members/{membership.pk}/reveal/", {"field": field}, headers=headers)


def reveal_entries():
    return AuditEntry.objects.filter(event="reveal")


@pytest.mark.parametrize(("field", "value"), [("id_number", FULL_ID_A),
                                               ("phone", FULL_PHONE_A)])
def test_reveal_answers_the_value_and_logs_who_saw_whose(tree, users, as_user, field, value):
    response = reveal(as_user(users.community_a), tree.membership_a, field)
    assert response.status_code == 200
    assert value in response.content.decode()
    assert "<html" not in response.content.decode()  # an HTMX fragment
    assert "no-store" in response["Cache-Control"]
    entry = reveal_entries().get()
    assert entry.actor == users.community_a and entry.actor_name == "comm_a"
    assert (entry.object_type, entry.object_id) == ("members.person", str(tree.person_a.pk))
    assert entry.object_repr == "张华娟" and entry.success
    assert value not in str(entry.before) + str(entry.after) + entry.detail
    assert abs((timezone.now() - entry.at).total_seconds()) < 60


def test_reveal_without_htmx_shows_the_record_with_the_value(tree, users, as_user):
    response = reveal(as_user(users.street), tree.membership_a, htmx=False)
    body = response.content.decode()
    assert response.status_code == 200 and FULL_ID_A in body and "<html" in body
    assert MASKED_PHONE_A in body and FULL_PHONE_A not in body
    assert reveal_entries().count() == 1


@pytest.mark.parametrize(("who", "status"), [
    ("community_b", 404),  # outside her community
    ("grid_a", 403),       # sees the record, has no personal-data right
    ("liaison_a", 403),
    ("member", 404),       # a member sees only their own record (none linked here)
])
def test_reveal_refused(tree, users, as_user, who, status):
    response = reveal(as_user(getattr(users, who)), tree.membership_a)
    assert response.status_code == status
    assert FULL_ID_A not in response.content.decode()
    assert not reveal_entries().exists()


def test_reveal_bad_field_and_get(tree, users, as_user):
    client = as_user(users.street)
    assert reveal(client, tree.membership_a, "name").status_code == 400
    assert reveal(client, tree.membership_a, "id_number_index").status_code == 400
    assert client.get(f"/members/{tree.membership_a.pk}/reveal/").status_code == 405
    assert not reveal_entries().exists()


def test_member_sees_own_record_and_may_reveal_it(tree, users, as_user):
    users.member.person = tree.person_a
    users.member.save()
    client = as_user(users.member)
    assert names(client.get(LIST)) == ["张华娟"]
    assert reveal(client, tree.membership_a).status_code == 200
    assert reveal_entries().get().actor == users.member
    assert client.get(f"/members/{tree.membership_b.pk}/").status_code == 404


# ---- registering --------------------------------------------------------------------------

def test_register_member(tree, users, as_user):
    client = as_user(users.community_a)
    assert client.get(NEW, {"org": "JS-A1"}).status_code == 200
    response = client.post(NEW, member_data())
    assert response.status_code == 302, response.context["form"].errors
    membership = Membership.objects.get(person__name="王秀兰")
    assert response["Location"] == f"/members/{membership.pk}/"
    person = membership.person
    assert (person.sex, person.org, membership.org) == ("女", tree.a1, tree.a1)
    assert person.id_number == make_id("1990-03-15", "124")
    assert services.find_person_by_id_number(person.id_number) == person
    assert (person.name_initials, membership.category) == ("wxl", "正式党员")
    # Stored encrypted; the audit log holds no copy of the number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_person WHERE id = %s", [person.pk])
        assert cursor.fetchone()[0].startswith("sm4gcm:")
    created = AuditEntry.objects.filter(event="create", object_type="members.person").get()
    assert person.id_number not in str(created.after)
    assert names(client.get(LIST, {"q": "wxl"})) == ["王秀兰"]


def tomorrow():
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def future_birth():
    day = timezone.localdate() + datetime.timedelta(days=2)
    return {"birth_date": day.isoformat(), "id_number": make_id(day.isoformat(), "124"),
            "joined_on": "2015-07-01"}


REFUSALS = [
    ("check digit", {"id_number": "110105199003151240"}, "id_number", "校验位"),
    ("birth date vs ID", {"birth_date": "1990-03-16"}, "birth_date", "不一致"),
    ("sex vs ID", {"sex": "男"}, "sex", "不一致"),
    ("joined before 18", {"joined_on": "2008-03-14", "confirmed_on": ""}, "joined_on",
     "未满 18 周岁"),
    ("confirmed before joined", {"confirmed_on": "2015-06-30"}, "confirmed_on",
     "转正日期不能早于入党日期"),
    ("future joined", {"joined_on": tomorrow(), "confirmed_on": ""}, "joined_on",
     "入党日期不能晚于今天"),
    ("future confirmed", {"confirmed_on": tomorrow()}, "confirmed_on", "转正日期不能晚于今天"),
    ("future birth", future_birth(), "birth_date", "出生日期不能晚于今天"),
    ("second membership", {"id_number": FULL_ID_A, "birth_date": "1949-12-31"}, "id_number",
     "已有在册的党籍"),
    ("bad phone", {"phone": "1234"}, "phone", "手机号"),
    ("probationary confirmed", {"category": "预备党员"}, "confirmed_on", "预备党员"),
    ("org out of reach", {"org": "JS-B1"}, "org", "JS-B1"),
    ("missing name", {"name": ""}, "name", ""),
]


@pytest.mark.parametrize(("case", "changes", "field", "text"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_register_refusals_name_the_field_and_write_nothing(tree, users, as_user, case,
                                                            changes, field, text):
    client = as_user(users.community_a)
    before = counts()
    response = client.post(NEW, member_data(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert text in " ".join(errors[field])
    assert "未保存任何内容" in response.content.decode()
    assert counts() == before


def test_out_of_reach_id_number_gets_one_answer_whatever_the_party_status(tree, users,
                                                                         as_user):
    """Community B learns nothing about A's member from her ID number: the same refusal as
    for any person outside its reach, not "already a member"."""
    client = as_user(users.community_b)
    response = client.post(NEW, member_data(id_number=FULL_ID_A, birth_date="1949-12-31",
                                            org="JS-B1"))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["id_number"])
    assert "管理范围以外" in errors and "在册" not in errors


def test_service_refuses_what_the_form_would(tree, users):
    """The rules hold without the form: the service refuses, naming the field."""
    from gongjian.core.services import DomainError

    before = counts()
    person = Person(name="甲", sex="女", birth_date=datetime.date(1990, 3, 15),
                    id_number=make_id("1990-03-15", "124"))
    membership = Membership(org=tree.a1, category="正式党员",
                            joined_on=datetime.date(2007, 1, 1))
    with pytest.raises(DomainError) as error:
        services.register_member(user=users.community_a, person=person, membership=membership)
    assert error.value.field == "joined_on" and "18" in error.value.message
    assert counts() == before


def test_registering_a_known_person_again(tree, users, as_user):
    """Somebody on file whose membership ended is registered as the same person."""
    Membership.objects.filter(pk=tree.membership_a.pk).update(active=False)
    client = as_user(users.community_a)
    response = client.post(NEW, member_data(
        name="张华娟", id_number=FULL_ID_A, birth_date="1949-12-31", joined_on="1975-07-01",
        confirmed_on="1976-07-01", phone=FULL_PHONE_A))
    assert response.status_code == 302, response.context["form"].errors
    assert Person.objects.filter(name="张华娟").count() == 1
    assert tree.person_a.memberships.count() == 2


def test_person_known_elsewhere_is_refused(tree, users, as_user):
    Membership.objects.filter(pk=tree.membership_b.pk).update(active=False)
    before = counts()
    response = as_user(users.community_a).post(NEW, member_data(
        name="林急", sex="男", id_number="440524188001010014", birth_date="1880-01-01",
        joined_on="1920-05-04", confirmed_on=""))
    assert response.status_code == 400
    assert "管理范围以外" in " ".join(response.context["form"].errors["id_number"])
    assert counts() == before


def test_create_refused_for_grid_staff(tree, users, as_user):
    assert as_user(users.grid_a).post(NEW, member_data()).status_code == 403
    assert not Person.objects.filter(name="王秀兰").exists()


# ---- editing ------------------------------------------------------------------------------

def edit_url(membership):
    return f"/members/{membership.pk}/edit/"


def edit_data(membership, **changes):
    """The edit form as the page fills it (numbers left blank: unchanged)."""
    person = membership.person
    data = {
        "name": person.name, "sex": person.sex, "id_number": "",
        "birth_date": person.birth_date.isoformat(), "ethnicity": person.ethnicity,
        "education": person.education, "phone": "", "address": person.address,
        "work_unit": person.work_unit, "job_post": person.job_post, "org": membership.org.code,
        "category": membership.category, "joined_on": membership.joined_on.isoformat(),
        "confirmed_on": membership.confirmed_on.isoformat() if membership.confirmed_on else "",
        "standing": membership.standing,
    }
    data.update(changes)
    return data


def test_edit_page_never_contains_the_full_numbers(tree, users, as_user):
    response = as_user(users.community_a).get(edit_url(tree.membership_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert FULL_ID_A not in body and FULL_PHONE_A not in body
    assert MASKED_ID_A in body and 'value="JS-A1"' in body


def test_edit_keeps_blank_numbers_and_changes_the_rest(tree, users, as_user, fresh):
    client = as_user(users.community_a)
    response = client.post(edit_url(tree.membership_a), edit_data(
        tree.membership_a, address="新地址", standing="流动", org="JS-A1G",
        phone="13700001111"))
    assert response.status_code == 302, response.context["form"].errors
    person, membership = fresh(tree.person_a), fresh(tree.membership_a)
    assert (person.address, person.phone, person.id_number) == ("新地址", "13700001111",
                                                                FULL_ID_A)
    assert (membership.standing, membership.org, person.org) == ("流动", tree.a1g, tree.a1g)


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"birth_date": "1949-12-30"}, "birth_date", "不一致"),
    ({"id_number": "11010519491231002Y"}, "id_number", ""),
    ({"id_number": "440524188001010014", "sex": "男", "birth_date": "1880-01-01"}, "id_number",
     "已登记为另一人员"),
    ({"confirmed_on": "1975-01-01"}, "confirmed_on", "转正日期不能早于入党日期"),
    ({"joined_on": "1960-01-01"}, "joined_on", "未满 18 周岁"),
    ({"org": "JS-B1"}, "org", "JS-B1"),
])
def test_edit_refusals(tree, users, as_user, fresh, changes, field, text):
    before = counts()
    response = as_user(users.community_a).post(edit_url(tree.membership_a),
                                                edit_data(tree.membership_a, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field]), errors
    assert counts() == before
    assert fresh(tree.person_a).birth_date == datetime.date(1949, 12, 31)


def test_edit_refused_for_grid_staff_and_other_community(tree, users, as_user):
    url = edit_url(tree.membership_a)
    assert as_user(users.grid_a).post(url, edit_data(tree.membership_a)).status_code == 403
    assert as_user(users.community_b).post(url, edit_data(tree.membership_a)).status_code == 404
