"""Who sees and may touch what: `restrict` for every role of the `users` fixture, and the
post-write re-check that keeps a write from carrying an object out of the writer's reach."""

import pytest

from gongjian.core.access import ROLE_PERMISSIONS, can, reach_orgs, restrict
from gongjian.core.models import AuditEntry, RoleGrant, User
from gongjian.core.services import OutOfScope
from gongjian.orgs import services
from gongjian.orgs.models import Building, Grid, Organization, OrgEvent, Unit

ALL_ORGS = {"JS", "JS-A", "JS-A1", "JS-A1G", "JS-A2", "JS-B", "JS-B1"}
A_ORGS = {"JS-A", "JS-A1", "JS-A1G", "JS-A2"}
B_ORGS = {"JS-B", "JS-B1"}
A1_ORGS = {"JS-A1", "JS-A1G"}
NOBODY = ("liaison_a", "member", "resident", "sysadmin", "secadmin", "auditadmin")
ALL_USERS = ("street", "community_a", "community_b", "grid_a", *NOBODY)



def codes(user, action, model):
    rows = restrict(user, action, model)
    if model is Building:
        return {b.name for b in rows}
    return set(rows.values_list("code", flat=True))


def expect(table, default=frozenset()):
    """Expand {role: {action: codes}} so unlisted roles and actions expect nothing."""
    return lambda who, action: table.get(who, {}).get(action, default)


ORG_EXPECTED = expect({
    "street": dict.fromkeys(["view", "add", "change", "move", "merge", "delete"], ALL_ORGS),
    "community_a": {**dict.fromkeys(["view", "add", "change", "move"], A_ORGS)},
    "community_b": {**dict.fromkeys(["view", "add", "change", "move"], B_ORGS)},
    "grid_a": {"view": A1_ORGS},
})

GRID_EXPECTED = expect({
    "street": dict.fromkeys(["view", "add", "change", "delete"], {"G-A", "G-B"}),
    "community_a": dict.fromkeys(["view", "add", "change", "delete"], {"G-A"}),
    "community_b": dict.fromkeys(["view", "add", "change", "delete"], {"G-B"}),
    "grid_a": dict.fromkeys(["view", "change"], {"G-A"}),
})

BUILDING_EXPECTED = expect({
    "street": dict.fromkeys(["view", "add", "change", "delete"], {"1号楼"}),
    "community_a": dict.fromkeys(["view", "add", "change", "delete"], {"1号楼"}),
    "grid_a": dict.fromkeys(["view", "add", "change"], {"1号楼"}),
})

UNIT_EXPECTED = expect({
    "street": dict.fromkeys(["view", "add", "change", "delete"], {"U-A", "U-B"}),
    "community_a": dict.fromkeys(["view", "add", "change"], {"U-A"}),
    "community_b": dict.fromkeys(["view", "add", "change"], {"U-B"}),
    # grid_a: none; its reach is A1's subtree and both units are located at community level
    "liaison_a": dict.fromkeys(["view", "change"], {"U-A"}),
})


@pytest.mark.parametrize("who", ALL_USERS)
@pytest.mark.parametrize("action", ["view", "add", "change", "delete", "move", "merge"])
def test_organizations(tree, users, who, action):
    assert codes(getattr(users, who), action, Organization) == ORG_EXPECTED(who, action)


@pytest.mark.parametrize("who", ALL_USERS)
@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_grids(tree, users, who, action):
    assert codes(getattr(users, who), action, Grid) == GRID_EXPECTED(who, action)


@pytest.mark.parametrize("who", ALL_USERS)
@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_buildings(tree, users, who, action):
    assert codes(getattr(users, who), action, Building) == BUILDING_EXPECTED(who, action)


@pytest.mark.parametrize("who", ALL_USERS)
@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_units(tree, users, who, action):
    assert codes(getattr(users, who), action, Unit) == UNIT_EXPECTED(who, action)


def test_community_a_never_sees_b(tree, users):
    user = users.community_a
    for action in ("view", "add", "change", "move"):
        assert not restrict(user, action, Organization).filter(
            path__startswith=tree.b.path).exists()
    assert not restrict(user, "view", Grid).filter(org__path__startswith=tree.b.path).exists()
    assert not restrict(user, "view", Unit).filter(org__path__startswith=tree.b.path).exists()
    assert not restrict(user, "view", OrgEvent).filter(org__path__startswith=tree.b.path).exists()
    # and the parent street is outside the reach too
    assert not restrict(user, "view", Organization).filter(pk=tree.s.pk).exists()


def test_org_events_follow_org_scope(tree, users):
    visible = set(restrict(users.community_a, "view", OrgEvent).values_list("org__code",
                                                                            flat=True))
    assert visible == A_ORGS
    assert set(restrict(users.grid_a, "view", OrgEvent).values_list("org__code",
                                                                     flat=True)) == A1_ORGS
    assert not restrict(users.liaison_a, "view", OrgEvent).exists()


def test_unit_liaison_sees_only_its_unit(tree, users):
    assert list(restrict(users.liaison_a, "view", Unit)) == [tree.unit_a]
    assert not restrict(users.liaison_a, "view", Organization).exists()
    assert not restrict(users.liaison_a, "view", Grid).exists()


def test_queryset_and_manager_forms_agree(tree, users):
    assert (set(Grid.objects.restrict(users.community_a, "view"))
            == set(restrict(users.community_a, "view", Grid)) == {tree.grid_a})
    assert set(Organization.objects.all().restrict(users.grid_a)) == {tree.a1, tree.a1g}


@pytest.mark.parametrize("who", ["member", "resident", "sysadmin", "secadmin", "auditadmin"])
def test_personal_and_platform_roles_see_no_organisation(tree, users, who):
    user = getattr(users, who)
    for model in (Organization, OrgEvent, Grid, Building, Unit):
        assert not restrict(user, "view", model).exists(), model
    assert reach_orgs(user, "view", Organization) == []


def test_anonymous_and_inactive_see_nothing(tree, users):
    from django.contrib.auth.models import AnonymousUser

    assert not restrict(AnonymousUser(), "view", Organization).exists()
    street = User.objects.get(pk=users.street.pk)
    street.is_active = False
    assert not restrict(street, "view", Organization).exists()


def test_platform_administration_is_separated(tree, users):
    """三员分立: each administrator reaches their own tables and nothing else."""
    total_users = User.objects.count()
    assert total_users == 10
    AuditEntry.objects.create(event="login", actor=users.street)

    sys_admin, sec_admin, audit_admin = users.sysadmin, users.secadmin, users.auditadmin
    assert restrict(sys_admin, "view", User).count() == total_users
    assert restrict(sys_admin, "change", User).count() == total_users
    assert not restrict(sys_admin, "view", RoleGrant).exists()
    assert not restrict(sys_admin, "view", AuditEntry).exists()

    assert restrict(sec_admin, "view", User).count() == total_users
    assert not restrict(sec_admin, "change", User).exists()
    assert restrict(sec_admin, "view", RoleGrant).count() == RoleGrant.objects.count() == 10
    assert restrict(sec_admin, "add", RoleGrant).count() == 10
    assert not restrict(sec_admin, "view", AuditEntry).exists()

    # The accounts and grants of the fixture were audited when made, plus the login above.
    assert restrict(audit_admin, "view", AuditEntry).count() == AuditEntry.objects.count() == 21
    assert not restrict(audit_admin, "view", User).exists()
    assert not restrict(audit_admin, "view", RoleGrant).exists()

    for who in ("street", "community_a", "grid_a", "liaison_a", "member", "resident"):
        user = getattr(users, who)
        for model in (User, RoleGrant, AuditEntry):
            assert not restrict(user, "view", model).exists(), (who, model)


def test_no_role_holds_two_administrations():
    admin_tables = {"core.view_user", "core.view_rolegrant", "core.view_auditentry"}
    for role, perms in ROLE_PERMISSIONS.items():
        if role == "sec_admin":  # sees accounts to grant roles to them
            assert perms & admin_tables == {"core.view_user", "core.view_rolegrant"}
        else:
            assert len(perms & admin_tables) <= 1, role
    assert "core.view_auditentry" in ROLE_PERMISSIONS["audit_admin"]
    # Besides the log, the audit administrator reads only the notifications sent to it.
    assert {p for p in ROLE_PERMISSIONS["audit_admin"] if not p.endswith("_auditentry")} == {
        "core.view_notification", "core.change_notification"}


def test_can_for_menus(tree, users):
    assert can(users.street, "merge", Organization)
    assert not can(users.community_a, "merge", Organization)
    assert can(users.community_a, "move", Organization)
    assert not can(users.grid_a, "add", Organization)
    assert can(users.grid_a, "add", Building)
    assert not can(users.sysadmin, "view", AuditEntry)
    assert can(users.auditadmin, "view", AuditEntry)


def test_reach_orgs(tree, users):
    assert reach_orgs(users.community_a, "add", Organization) == [tree.a]
    assert reach_orgs(users.grid_a, "add", Organization) == []
    assert reach_orgs(users.member, "view", Organization) == []


def test_two_grants_widen_reach(tree, make_user):
    user = make_user("community_staff", tree.a, username="both")
    RoleGrant.objects.create(user=user, role="community_staff", org=tree.b1)
    assert set(restrict(user, "view", Organization).values_list("code", flat=True)) == (
        A_ORGS | {"JS-B1"})


# ---- post-write re-check ---------------------------------------------------------------------

def _org_state():
    return {o.code: (o.path, o.numchild) for o in Organization.objects.all()}


def test_community_cannot_move_own_org_out_of_reach(tree, users, fresh):
    before, events, entries = _org_state(), OrgEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(OutOfScope) as refused:
        services.move_organization(fresh(tree.a1), user=users.community_a, new_parent=fresh(tree.b))
    assert refused.value.status == 404
    assert refused.value.message == "对象不存在或不在您的管理范围内。"
    assert _org_state() == before
    assert (OrgEvent.objects.count(), AuditEntry.objects.count()) == (events, entries)


def test_community_cannot_move_unit_out_of_reach(tree, users, fresh):
    """Only the re-check after the write can catch this: the unit is in reach beforehand."""
    unit = fresh(tree.unit_a)
    unit.org = tree.b
    entries = AuditEntry.objects.count()
    with pytest.raises(OutOfScope):
        services.save_unit(unit, user=users.community_a)
    assert fresh(tree.unit_a).org_id == tree.a.pk
    assert AuditEntry.objects.count() == entries  # the audited save was rolled back too


def test_community_cannot_hand_grid_to_other_community(tree, users, fresh):
    grid = fresh(tree.grid_a)
    grid.org = tree.b1
    with pytest.raises(OutOfScope):
        services.save_grid(grid, user=users.community_a)
    assert fresh(tree.grid_a).org_id == tree.a1.pk


def test_street_may_hand_grid_to_other_community(tree, users, fresh):
    grid = fresh(tree.grid_a)
    grid.org = tree.b1
    services.save_grid(grid, user=users.street)
    assert fresh(tree.grid_a).org_id == tree.b1.pk


def test_out_of_scope_write_refused_before_change(tree, users, fresh):
    building = fresh(tree.building)
    building.households = 60
    with pytest.raises(OutOfScope):
        services.save_building(building, user=users.community_b)
    with pytest.raises(OutOfScope):
        services.update_organization(fresh(tree.a1), user=users.community_b, name="越权改名")
    with pytest.raises(OutOfScope):
        services.delete_building(fresh(tree.building), user=users.grid_a)  # grid staff: no delete
    assert fresh(tree.building).households == 48
    assert fresh(tree.a1).name == "达嘉馨园小区党支部"


def test_liaison_edits_only_own_unit(tree, users, fresh):
    unit = fresh(tree.unit_a)
    unit.contact_name = "王经理"
    services.save_unit(unit, user=users.liaison_a)
    assert fresh(tree.unit_a).contact_name == "王经理"

    other = fresh(tree.unit_b)
    other.contact_name = "越权"
    with pytest.raises(OutOfScope):
        services.save_unit(other, user=users.liaison_a)
    assert fresh(tree.unit_b).contact_name == ""
