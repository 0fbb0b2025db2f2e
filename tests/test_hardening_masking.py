"""A masked ID number hides exactly the eight birth-date digits: shown beside it, the birth
date gave the whole number back (check digit and all). For a viewer who may not reveal the
number, the birth date is its year only — on the member's page, in the API and in the export;
those who may reveal see it in full, and the statistics count from the full date."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

BIRTH = "1949-12-31"  # 张华娟's, the digits 110105********002X hides
MASKED_ID = "110105********002X"


@pytest.fixture
def api(users):
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def test_the_api_gives_the_birth_year_only_beside_a_masked_number(api, tree, users):
    for account in (users.grid_a,):
        one = api(account).get(f"/api/v1/members/{tree.membership_a.pk}/")
        assert one.status_code == 200
        body = one.json()
        assert body["id_number_masked"] == MASKED_ID
        assert body["birth_date"] is None and body["birth_year"] == 1949
        assert BIRTH not in one.content.decode()
        listed = api(account).get("/api/v1/members/", {"active": "all"})
        row = next(r for r in listed.json()["results"] if r["id"] == tree.membership_a.pk)
        assert row["birth_date"] is None and row["birth_year"] == 1949
        assert BIRTH not in listed.content.decode()


def test_who_may_reveal_the_number_sees_the_date(api, tree, users):
    for account in (users.community_a, users.street, users.member):
        if account is users.member:
            users.member.person = tree.person_a
            users.member.save(update_fields=["person"])
        body = api(account).get(f"/api/v1/members/{tree.membership_a.pk}/").json()
        assert body["birth_date"] == BIRTH and body["birth_year"] == 1949, account.username


def test_the_member_page_shows_the_year_to_who_may_not_reveal(client, tree, users):
    url = reverse("member_detail", args=[tree.membership_a.pk])
    client.force_login(users.grid_a)
    text = client.get(url).content.decode()
    assert MASKED_ID in text and "1949 年" in text and BIRTH not in text
    client.force_login(users.community_a)
    assert BIRTH in client.get(url).content.decode()


def _export_birth_cells(client, user):
    client.force_login(user)
    response = client.get(reverse("member_export"), {"active": "all"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "出生日期" in r)
    column, id_column = header.index("出生日期"), header.index("公民身份号码")
    return {r[id_column]: r[column] for r in rows[rows.index(header) + 1:] if r[column]}


def test_the_export_writes_the_year_to_who_may_not_reveal(client, tree, users):
    cells = _export_birth_cells(client, users.grid_a)
    assert cells[MASKED_ID] == "1949 年"
    assert not any(hasattr(value, "month") for value in cells.values())
    full = _export_birth_cells(client, users.community_a)
    assert str(full["11010519491231002X"])[:10] == BIRTH


def test_statistics_still_count_from_the_full_date(api, tree, users):
    # The age figures of a viewer who may not reveal equal those of one who may.
    grid = api(users.grid_a).get("/api/v1/members/", {"active": "all"}).json()["results"]
    staff = api(users.community_a).get("/api/v1/members/", {"active": "all"}).json()["results"]
    ages = {r["id"]: r["age"] for r in staff}
    assert grid and all(r["age"] == ages[r["id"]] for r in grid)
