"""The shape of the roster search and the member statistics queries, which keeps them fast on
a city's 544,000 members: prefix conditions only (each can use an index), and statistics over
memberships alone (the person's attributes are copied onto the membership)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core.pinyin import search_filter
from gongjian.members.filters import roster
from gongjian.members.models import Membership, Person
from gongjian.members.stats import member_figures
from gongjian.orgs.models import Organization

D = datetime.date


def sql_of(queryset):
    with CaptureQueriesContext(connection) as queries:
        list(queryset)
    return queries.captured_queries[-1]["sql"]


def test_person_search_uses_prefix_conditions_only(tree, users):
    sql = sql_of(roster(users.street, {"q": "zhj"}))
    assert "zhj%" in sql
    assert "%zhj" not in sql and "z%h%j" not in sql
    sql = sql_of(roster(users.street, {"q": "张华"}))
    assert "张华%" in sql and "%张华" not in sql


def test_person_search_finds_by_prefix(tree, users):
    for q in ("张", "张华", "zhang", "zhanghua", "zh", "zhj", "ZHJ"):
        assert [m.person.name for m in roster(users.street, {"q": q})] == ["张华娟"], q
    for q in ("华", "zj", "huajuan"):  # not from the start of the name: found by nobody
        assert list(roster(users.street, {"q": q})) == [], q


def test_organisation_search_keeps_contains_by_default(tree):
    condition, _rank = search_filter("jaq")
    assert Organization.objects.filter(condition).query is not None
    assert "like_ordered" in str(condition)
    prefix, _rank = search_filter("jaq", prefix=True)
    assert "like_ordered" not in str(prefix) and "contains" not in str(prefix)


def test_membership_copies_follow_the_person(tree):
    person = Person.objects.create(name="李明", sex="男", birth_date=D(1980, 5, 6),
                                   education="高中", ethnicity="回族", org=tree.a1)
    membership = Membership.objects.create(person=person, org=tree.a1, category="正式党员",
                                           joined_on=D(2005, 1, 1))
    copies = ("person_birth_date", "person_sex", "person_education", "person_ethnicity")

    def stored():
        return Membership.objects.filter(pk=membership.pk).values_list(*copies).get()

    assert stored() == (D(1980, 5, 6), "男", "高中", "回族")
    person.education, person.birth_date = "大学本科", D(1980, 5, 7)
    person.save()
    assert stored() == (D(1980, 5, 7), "男", "大学本科", "回族")
    # Written without the person loaded: the copy is read from the person on saving.
    Membership.objects.filter(pk=membership.pk).update(person_sex="")
    reloaded = Membership.objects.get(pk=membership.pk)
    reloaded.save()
    assert stored()[1] == "男"


def test_bulk_created_memberships_get_the_copies(tree):
    people = Person.objects.bulk_create([
        Person(name=name, sex="女", birth_date=D(1990, 1, day), education="大学专科",
               org=tree.a1) for day, name in ((1, "王芳"), (2, "刘敏"))])
    Membership.objects.bulk_create([
        Membership(person=p, org=tree.a1, category="正式党员", joined_on=D(2015, 1, 1))
        for p in people])
    rows = Membership.objects.filter(person__in=people).order_by("person_birth_date")
    assert list(rows.values_list("person_birth_date", "person_education")) == [
        (D(1990, 1, 1), "大学专科"), (D(1990, 1, 2), "大学专科")]


def test_member_statistics_do_not_join_people(tree, users):
    with CaptureQueriesContext(connection) as queries:
        figures = member_figures(users.street, tree.s, D(2019, 6, 30))
    assert figures["total"] >= 1
    assert figures["by_sex"]["女"] >= 1
    assert not [q["sql"] for q in queries.captured_queries if "members_person" in q["sql"]]
