"""The audit log: who changed what, when, from where, with the values before and after; and
the log itself can be neither changed nor deleted (RULES.md §6, 网络安全法 第二十一条)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from gongjian.core import audit
from gongjian.core.accounts import change_own_password, create_account, reset_password
from gongjian.core.models import AuditEntry, User
from gongjian.core.services import OutOfScope
from gongjian.orgs import services
from gongjian.orgs.models import Building, Unit

IP = "10.0.0.8"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the append-only trigger exists on PostgreSQL only")



def entries(obj=None, event=None):
    rows = AuditEntry.objects.order_by("id")
    if obj is not None:
        rows = rows.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if event is not None:
        rows = rows.filter(event=event)
    return list(rows)


# ---- instance saves and deletes ---------------------------------------------------------------

def test_organization_create_and_update(tree, users, fresh):
    with audit.acting_as(users.street, IP):
        org = services.create_organization(user=users.street, parent=tree.a, code="JS-A3",
                                           name="金安第三党支部", kind="branch",
                                           sector="residential",
                                           established_on=datetime.date(2021, 7, 1))
    [created] = entries(org)
    assert (created.event, created.success, created.actor, created.actor_name, created.ip) == (
        "create", True, users.street, "street", IP)
    assert (created.object_type, created.object_repr) == ("orgs.organization", "金安第三党支部")
    assert created.before is None
    assert created.after["code"] == "JS-A3"
    assert created.after["established_on"] == "2021-07-01"
    assert created.after["path"] == org.path

    with audit.acting_as(users.community_a, "10.0.0.9"):
        services.update_organization(fresh(org), user=users.community_a, name="金安三支部")
    [_, updated] = entries(org)
    assert (updated.event, updated.actor, updated.ip) == ("update", users.community_a, "10.0.0.9")
    assert updated.before == {"name": "金安第三党支部", "name_pinyin": "jinandisandangzhibu",
                              "name_initials": "jadsdzb"}
    assert updated.after == {"name": "金安三支部", "name_pinyin": "jinansanzhibu",
                             "name_initials": "jaszb"}


def test_building_create_update_delete(tree, users, fresh):
    with audit.acting_as(users.grid_a, IP):
        building = services.save_building(Building(grid=tree.grid_a, name="2号楼",
                                                   households=30), user=users.grid_a)
        building = fresh(building)
        building.households = 32
        building.floors = 11
        services.save_building(building, user=users.grid_a)
        services.save_building(fresh(building), user=users.grid_a)  # no change, no entry
    with audit.acting_as(users.community_a, IP):
        services.delete_building(fresh(building), user=users.community_a)

    created, updated, deleted = entries(building)
    assert [e.event for e in (created, updated, deleted)] == ["create", "update", "delete"]
    assert [e.actor for e in (created, updated, deleted)] == [
        users.grid_a, users.grid_a, users.community_a]
    assert {e.ip for e in (created, updated, deleted)} == {IP}
    assert created.after == {"id": building.pk, "grid_id": tree.grid_a.pk, "name": "2号楼",
                             "address": "", "floors": None, "households": 30,
                             "lng": None, "lat": None}
    assert (updated.before, updated.after) == ({"households": 30, "floors": None},
                                               {"households": 32, "floors": 11})
    assert deleted.before["households"] == 32 and deleted.after is None
    assert deleted.object_repr == "金安第一网格 2号楼"


def test_unit_create_update_delete(tree, users, fresh):
    with audit.acting_as(users.community_a, IP):
        unit = services.save_unit(Unit(
            code="U-N", name="金山银行", unit_type="bank", org=tree.a,
            lng=Decimal("118.089425"), lat=Decimal("24.479834")), user=users.community_a)
        unit = fresh(unit)
        unit.contact_phone = "13800138000"
        unit.lng = Decimal("118.1")
        services.save_unit(unit, user=users.community_a)
    with audit.acting_as(users.street, IP):
        services.delete_unit(fresh(unit), user=users.street)

    created, updated, deleted = entries(unit)
    assert created.after["lng"] == "118.089425" and created.after["lat"] == "24.479834"
    assert created.after["name_initials"] == "jsyh"
    assert updated.before == {"contact_phone": "", "lng": "118.089425"}
    assert updated.after.keys() == {"contact_phone", "lng"}
    assert updated.after["contact_phone"] == "13800138000"
    assert Decimal(updated.after["lng"]) == Decimal("118.1")  # the value as assigned
    assert (deleted.event, deleted.actor, deleted.before["code"]) == ("delete", users.street,
                                                                     "U-N")
    json.dumps([created.after, updated.before, deleted.before])  # stored as plain JSON


def test_no_context_means_no_actor(tree):
    Building.objects.create(grid=tree.grid_a, name="3号楼")
    [entry] = entries(event="create")
    assert (entry.actor, entry.actor_name, entry.ip) == (None, "", None)


def test_anonymous_actor_is_not_recorded(tree):
    with audit.acting_as(AnonymousUser(), IP):
        building = Building.objects.create(grid=tree.grid_a, name="3号楼")
    [entry] = entries(building)
    assert (entry.actor, entry.ip) == (None, IP)


def test_suppressed_context_writes_nothing(tree):
    with audit.acting_as(suppress=True):
        Building.objects.create(grid=tree.grid_a, name="3号楼")
    assert AuditEntry.objects.count() == 0


def test_refused_write_leaves_no_entry(tree, users, fresh):
    unit = fresh(tree.unit_a)
    unit.org = tree.b  # out of community A's reach once written
    before = AuditEntry.objects.count()
    with audit.acting_as(users.community_a, IP), pytest.raises(OutOfScope):
        services.save_unit(unit, user=users.community_a)
    assert AuditEntry.objects.count() == before


# ---- tree operations --------------------------------------------------------------------------

def test_move_entry(tree, users, fresh):
    old_path = tree.a1.path
    with audit.acting_as(users.street, IP):
        services.move_organization(fresh(tree.a1), user=users.street, new_parent=fresh(tree.b))
    [entry] = entries(tree.a1)
    assert (entry.event, entry.actor, entry.ip) == ("move", users.street, IP)
    assert entry.before == {"parent": "JS-A", "path": old_path}
    assert entry.after == {"parent": "JS-B", "path": fresh(tree.a1).path}
    assert entry.after["path"].startswith(tree.b.path)


def test_merge_entries(tree, users, fresh):
    with audit.acting_as(users.street, IP):
        services.merge_organizations(fresh(tree.a1), user=users.street, survivor=fresh(tree.b1),
                                     on=datetime.date(2025, 3, 1), reason="小区合并")
    updated, merged = entries(tree.a1)
    assert (updated.event, merged.event) == ("update", "merge")
    assert updated.before == {"dissolved_on": None, "dissolution_reason": "",
                              "merged_into_id": None}
    assert updated.after == {"dissolved_on": "2025-03-01", "dissolution_reason": "小区合并",
                             "merged_into_id": tree.b1.pk}
    assert merged.after == {"survivor": "JS-B1", "children": ["JS-A1G"],
                            "moved": {"orgs.grid.org": 1, "members.person.org": 1,
                                      "members.membership.org": 1}}
    assert {merged.actor, updated.actor} == {users.street}
    assert merged.ip == IP


def test_dissolve_entries(tree, users, fresh):
    with audit.acting_as(users.street, IP):
        services.dissolve_organization(fresh(tree.a2), user=users.street,
                                       on=datetime.date(2025, 5, 4), reason="企业注销")
    updated, dissolved = entries(tree.a2)
    assert (updated.event, dissolved.event) == ("update", "dissolve")
    assert updated.after == {"dissolved_on": "2025-05-04", "dissolution_reason": "企业注销"}
    assert dissolved.after == {"dissolved_on": "2025-05-04", "reason": "企业注销"}
    assert (dissolved.actor, dissolved.ip) == (users.street, IP)


# ---- secrets stay out -------------------------------------------------------------------------

def test_password_hash_never_logged(tree, users):
    with audit.acting_as(users.sysadmin, IP):
        account = create_account(user=users.sysadmin, username="lisi", display_name="李四",
                                  password="Lisi@2026pw")
        reset_password(account, user=users.sysadmin, password="Reset@2026pw")
    change_own_password(user=account, old_password="Reset@2026pw", new_password="Mine@2026pw")
    account.refresh_from_db()
    with audit.acting_as(users.street, IP):
        services.save_building(Building(grid=tree.grid_a, name="4号楼"), user=users.street)

    hashes = set(User.objects.values_list("password", flat=True))
    assert AuditEntry.objects.filter(event="password_change").count() == 1
    for entry in AuditEntry.objects.all():
        text = json.dumps([entry.before, entry.after, entry.detail, entry.object_repr],
                          ensure_ascii=False)
        assert not any(h in text for h in hashes), entry.event
        assert "Mine@2026pw" not in text and "Reset@2026pw" not in text
        assert "pbkdf2" not in text and "md5$" not in text


def test_account_changes_are_audited_without_hash(users):
    with audit.acting_as(users.sysadmin, IP):
        account = create_account(user=users.sysadmin, username="lisi", display_name="李四",
                                 password="Lisi@2026pw")
    assert "password" not in audit.snapshot(account)
    [entry] = entries(account, "create")
    assert entry.actor == users.sysadmin
    assert "password" not in entry.after


# ---- the log cannot be changed ---------------------------------------------------------------

@pytest.fixture
def entry(db):
    return audit.record("login", detail="原始记录", ip=IP)


def test_entry_cannot_be_saved_again(entry):
    entry.detail = "篡改"
    with pytest.raises(ValidationError) as refused:
        entry.save()
    assert refused.value.messages == ["审计日志不可修改。"]
    assert AuditEntry.objects.get(pk=entry.pk).detail == "原始记录"


def test_entry_cannot_be_deleted(entry):
    with pytest.raises(ValidationError) as refused:
        entry.delete()
    assert refused.value.messages == ["审计日志不可删除。"]
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_bulk_update_and_delete_refused(entry, operation, request):
    rows = AuditEntry.objects.filter(pk=entry.pk)
    with pytest.raises((ValidationError, DatabaseError)), transaction.atomic():
        if operation == "update":
            rows.update(detail="篡改")
        else:
            rows.delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == "原始记录"


@postgres_only
def test_trigger_installed(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger "
                       "WHERE tgrelid = 'core_auditentry'::regclass AND NOT tgisinternal")
        assert [row[0] for row in cursor.fetchall()] == ["core_auditentry_append_only"]


@postgres_only
@pytest.mark.parametrize("sql", [
    "UPDATE core_auditentry SET detail = '篡改' WHERE id = %s",
    "UPDATE core_auditentry SET success = false WHERE id = %s",
    "DELETE FROM core_auditentry WHERE id = %s",
])
def test_database_refuses_update_and_delete(entry, sql):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert "审计日志不可修改或删除" in str(refused.value)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.detail, stored.success) == ("原始记录", True)


@postgres_only
def test_database_still_allows_insert_and_truncate(entry):
    audit.record("logout")
    assert AuditEntry.objects.count() == 2
    with transaction.atomic():
        with connection.cursor() as cursor:
            # rows inserted in this (test) transaction have deferred foreign-key checks
            # pending, which TRUNCATE refuses to skip; committed rows have none
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE core_auditentry")
        assert AuditEntry.objects.count() == 0
        transaction.set_rollback(True)
    assert AuditEntry.objects.count() == 2


def test_migration_is_a_no_op_elsewhere(entry):
    """On SQLite the migration adds nothing: raw SQL is not stopped there (the ORM guard is)."""
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL has the trigger")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                       "AND tbl_name = 'core_auditentry'")
        assert cursor.fetchall() == []
