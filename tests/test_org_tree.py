"""The organisation tree through orgs.services: create, move, merge, dissolve, and the grids,
buildings and units hanging off it. Every refusal must leave the database as it was."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.core.services import DomainError, OutOfScope
from gongjian.orgs import services
from gongjian.orgs.models import Building, Grid, Organization, OrgEvent, Unit

NO_PROBLEMS = ([], [], [], [], [])



def state():
    """Everything a refused tree operation must leave untouched."""
    orgs = {o.code: (o.path, o.depth, o.numchild, o.dissolved_on, o.merged_into_id)
            for o in Organization.objects.all()}
    grids = dict(Grid.objects.values_list("code", "org__code"))
    units = {u.code: (u.org.code, u.party_org.code if u.party_org else None)
             for u in Unit.objects.select_related("org", "party_org")}
    return orgs, grids, units, OrgEvent.objects.count(), AuditEntry.objects.count()


def parent_code(org):
    parent = Organization.objects.get_parent(Organization.objects.get(pk=org.pk))
    return parent.code if parent else None


def events(org, kind=None):
    rows = OrgEvent.objects.filter(org=org)
    if kind:
        rows = rows.filter(step=kind)
    return list(rows.values_list("step", "text"))


# ---- the fixture itself ---------------------------------------------------------------------

def test_fixture_tree_shape(tree):
    assert Organization.objects.find_problems() == NO_PROBLEMS
    assert [(o.code, o.depth, o.numchild) for o in Organization.objects.all()] == [
        ("JS", 1, 2), ("JS-A", 2, 2), ("JS-A1", 3, 1), ("JS-A1G", 4, 0), ("JS-A2", 3, 0),
        ("JS-B", 2, 1), ("JS-B1", 3, 0),
    ]


# ---- create ---------------------------------------------------------------------------------

def test_create_under_parent(tree, users, fresh):
    org = services.create_organization(
        user=users.community_a, parent=tree.a, code="JS-A3", name="金安第三党支部", kind="branch",
        sector="residential", established_on=datetime.date(2020, 7, 1))
    assert org.pk is not None
    assert org.path.startswith(tree.a.path) and org.depth == 3
    assert parent_code(org) == "JS-A"
    assert fresh(tree.a).numchild == 3
    assert (org.name_pinyin, org.name_initials) == ("jinandisandangzhibu", "jadsdzb")
    assert events(org) == [("established", "在“金安社区党委”之下设立党支部")]
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_create_duplicate_code_refused(tree, users):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=tree.a, code="JS-A1", name="重复",
                                     kind="branch", sector="community")
    assert refused.value.message == "组织编码已被使用。"
    assert refused.value.field == "code"
    assert refused.value.status == 400
    assert state() == before


def test_create_branch_under_group_refused(tree, users):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=tree.a1g, code="JS-X", name="某支部",
                                     kind="branch", sector="community")
    assert "党支部不能设在党小组“一号楼党小组”之下" in refused.value.message
    assert state() == before


def test_create_group_under_committee_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=tree.a, code="JS-X", name="某小组",
                                     kind="group", sector="community")
    assert "党小组不能设在党委“金安社区党委”之下" in refused.value.message
    assert not Organization.objects.filter(code="JS-X").exists()


def test_create_temporary_branch_needs_project(tree, users):
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.community_a, parent=tree.a, code="JS-AT",
                                     name="征迁临时党支部", kind="temporary_branch",
                                     sector="project")
    assert refused.value.message == "临时党支部须注明所建在的项目。"
    assert refused.value.field == "project_name"
    assert not Organization.objects.filter(code="JS-AT").exists()

    org = services.create_organization(user=users.community_a, parent=tree.a, code="JS-AT",
                                       name="征迁临时党支部", kind="temporary_branch",
                                       sector="project", project_name="金安片区征迁项目")
    assert org.project_name == "金安片区征迁项目"
    assert parent_code(org) == "JS-A"


def test_create_future_established_on_refused(tree, users):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=tree.a, code="JS-A9", name="未来支部",
                                     kind="branch", sector="community", established_on=tomorrow)
    assert refused.value.message == "成立日期不能晚于今天。"
    assert refused.value.field == "established_on"
    assert not Organization.objects.filter(code="JS-A9").exists()


def test_create_out_of_scope_refused(tree, users):
    before = state()
    with pytest.raises(OutOfScope):
        services.create_organization(user=users.community_a, parent=tree.b, code="JS-B9",
                                     name="越权支部", kind="branch", sector="community")
    assert state() == before


def test_out_of_scope_parent_is_not_named(tree, users, fresh):
    """A refusal must not reveal an organisation outside the user's reach (404, not a
    placement message naming 金林湾花园小区党支部)."""
    with pytest.raises(OutOfScope) as refused:
        services.create_organization(user=users.community_a, parent=fresh(tree.b1), code="JS-X",
                                     name="某支部", kind="branch", sector="community")
    assert "金林湾" not in refused.value.message
    with pytest.raises(OutOfScope) as refused:
        services.move_organization(fresh(tree.a1), user=users.community_a,
                                   new_parent=fresh(tree.b1))
    assert "金林湾" not in refused.value.message


def test_create_root_by_user_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=None, code="JS2", name="另一街道",
                                     kind="working_committee", sector="street")
    assert refused.value.field == "parent"
    assert Organization.objects.filter(depth=1).count() == 1


def test_create_under_dissolved_parent_refused(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a2), user=users.street, reason="企业注销")
    with pytest.raises(DomainError) as refused:
        services.create_organization(user=users.street, parent=fresh(tree.a2), code="JS-A2G",
                                     name="某小组", kind="group", sector="community")
    assert refused.value.message == "上级组织“鼎峰集团党支部”已撤销。"


# ---- move -----------------------------------------------------------------------------------

def test_move_subtree(tree, users, fresh):
    old_a1_path, old_a1g_path = tree.a1.path, tree.a1g.path
    services.move_organization(fresh(tree.a1), user=users.street, new_parent=fresh(tree.b))

    a1, a1g, a, b = fresh(tree.a1), fresh(tree.a1g), fresh(tree.a), fresh(tree.b)
    assert parent_code(a1) == "JS-B"
    assert a1.path != old_a1_path and a1.path.startswith(b.path) and a1.depth == 3
    assert a1g.path != old_a1g_path and a1g.path.startswith(a1.path) and a1g.depth == 4
    assert parent_code(a1g) == "JS-A1"
    assert (a.numchild, b.numchild, a1.numchild) == (1, 2, 1)
    assert [o.code for o in Organization.objects.get_children(b)] == ["JS-B1", "JS-A1"]
    assert [o.code for o in Organization.objects.get_children(a)] == ["JS-A2"]
    # grids and units follow through their foreign keys: the grid is now inside B's subtree
    assert Grid.objects.filter(org__path__startswith=b.path).count() == 2

    assert events(a1, "moved") == [("moved", "由“金安社区党委”移至“高林社区党委”之下")]
    assert events(a, "child_out") == [("child_out", "下级组织“达嘉馨园小区党支部”移至“高林社区党委”")]
    assert events(b, "child_in") == [("child_in", "“达嘉馨园小区党支部”从“金安社区党委”移入")]
    assert OrgEvent.objects.get(org=a1, step="moved").actor == users.street
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_move_within_own_community(tree, users, fresh):
    general = services.create_organization(user=users.community_a, parent=tree.a, code="JS-AZ",
                                           name="金安党总支", kind="general_branch",
                                           sector="community")
    services.move_organization(fresh(tree.a2), user=users.community_a, new_parent=fresh(general))
    assert parent_code(tree.a2) == "JS-AZ"
    assert fresh(general).numchild == 1
    assert fresh(tree.a).numchild == 2  # A1 and the general branch
    assert Organization.objects.find_problems() == NO_PROBLEMS


@pytest.mark.parametrize("target", ["a", "a1", "a1g"])
def test_move_under_itself_or_descendant_refused(tree, users, fresh, target):
    before = state()
    new_parent = fresh(getattr(tree, target))
    with pytest.raises(DomainError) as refused:
        services.move_organization(fresh(tree.a), user=users.street, new_parent=new_parent)
    assert refused.value.message == (
        f"不能把“金安社区党委”移到它自己或它的下级组织“{new_parent.name}”之下。")
    assert state() == before
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_move_to_current_parent_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.move_organization(fresh(tree.a1), user=users.street, new_parent=fresh(tree.a))
    assert refused.value.message == "“达嘉馨园小区党支部”已在“金安社区党委”之下。"
    assert state() == before


def test_move_against_placement_rules_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.move_organization(fresh(tree.a1), user=users.street, new_parent=fresh(tree.b1))
    assert "党支部不能设在党支部“金林湾花园小区党支部”之下" in refused.value.message
    assert state() == before


def test_community_cannot_move_branch_into_other_community(tree, users, fresh):
    before = state()
    with pytest.raises(OutOfScope):
        services.move_organization(fresh(tree.a1), user=users.community_a, new_parent=fresh(tree.b))
    assert state() == before
    assert parent_code(tree.a1) == "JS-A"
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_grid_staff_cannot_move(tree, users, fresh):
    before = state()
    with pytest.raises(OutOfScope):
        services.move_organization(fresh(tree.a1g), user=users.grid_a, new_parent=fresh(tree.a2))
    assert state() == before


def test_dissolved_org_cannot_be_moved_or_edited(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a1g), user=users.street, reason="楼栋拆除")
    before = state()
    with pytest.raises(DomainError) as refused:
        services.move_organization(fresh(tree.a1g), user=users.street, new_parent=fresh(tree.a2))
    assert refused.value.message == "已撤销的组织不能移动。"
    with pytest.raises(DomainError) as refused:
        services.update_organization(fresh(tree.a1g), user=users.street, name="新名称")
    assert refused.value.message == "已撤销的组织不能修改。"
    assert state() == before
    assert fresh(tree.a1g).name == "一号楼党小组"


def test_dissolve_with_stale_instance(tree, users, fresh):
    stale = fresh(tree.a2)
    services.create_organization(user=users.street, parent=fresh(tree.a2), code="JS-A2G",
                                 name="鼎峰第一党小组", kind="group", sector="community")
    with pytest.raises(DomainError):
        services.dissolve_organization(stale, user=users.street)
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_update_with_stale_instance(tree, users, fresh):
    stale = fresh(tree.a1)
    services.move_organization(fresh(tree.a1), user=users.street, new_parent=fresh(tree.b))
    services.update_organization(stale, user=users.street, note="备注")
    assert Organization.objects.find_problems() == NO_PROBLEMS
    assert fresh(tree.a1).path.startswith(tree.b.path)


# ---- update ---------------------------------------------------------------------------------

def test_update_rename(tree, users, fresh):
    services.update_organization(fresh(tree.a1), user=users.community_a, name="达嘉馨园党支部")
    a1 = fresh(tree.a1)
    assert (a1.name, a1.name_initials) == ("达嘉馨园党支部", "djxydzb")
    assert a1.path == tree.a1.path and a1.numchild == 1
    assert events(a1, "renamed") == [("renamed", "名称由“达嘉馨园小区党支部”改为“达嘉馨园党支部”")]


def test_update_kind_that_would_strand_children_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.update_organization(fresh(tree.a), user=users.street, kind="branch")
    # A is a committee under the street; a branch may stand there, but A's branches may not
    # stand under a branch.
    assert "下级组织“达嘉馨园小区党支部”将无法保留" in refused.value.message
    assert state() == before


# ---- merge ----------------------------------------------------------------------------------

def test_merge_moves_children_grids_and_units(tree, users, fresh):
    # a unit tied to A1 through both foreign keys
    unit = Unit.objects.create(code="U-C", name="达嘉物业", unit_type="private_company",
                               org=tree.a1, party_org=tree.a1)
    survivor = services.merge_organizations(fresh(tree.a1), user=users.street,
                                            survivor=fresh(tree.b1),
                                            on=datetime.date(2025, 3, 1), reason="小区合并")
    assert survivor.pk == tree.b1.pk

    a1, b1, a = fresh(tree.a1), fresh(tree.b1), fresh(tree.a)
    assert a1.dissolved_on == datetime.date(2025, 3, 1)
    assert a1.merged_into_id == b1.pk
    assert a1.dissolution_reason == "小区合并"
    assert a1.numchild == 0
    # the group now stands under B1
    assert parent_code(tree.a1g) == "JS-B1"
    assert fresh(tree.a1g).path.startswith(b1.path)
    assert b1.numchild == 1
    assert fresh(tree.grid_a).org_id == b1.pk
    assert (fresh(unit).org_id, fresh(unit).party_org_id) == (b1.pk, b1.pk)
    # the absorbed organisation stays in the tree (dissolved), under its old parent
    assert parent_code(a1) == "JS-A" and a.numchild == 2

    assert events(a1, "merged_into") == [
        ("merged_into", "并入“金林湾花园小区党支部”，转入1 个下级组织、1 个网格、2 个单位关联、1 名人员、1 名党员")]
    assert events(b1, "absorbed") == [
        ("absorbed", "吸收合并“达嘉馨园小区党支部”，转入1 个下级组织、1 个网格、2 个单位关联、1 名人员、1 名党员")]
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_merge_communities(tree, users, fresh):
    services.merge_organizations(fresh(tree.a), user=users.street, survivor=fresh(tree.b))
    a, b = fresh(tree.a), fresh(tree.b)
    assert a.dissolved_on == timezone.localdate()
    assert a.merged_into_id == b.pk
    assert a.dissolution_reason == "并入高林社区党委"
    assert [o.code for o in Organization.objects.get_children(b)] == ["JS-B1", "JS-A1", "JS-A2"]
    assert list(Organization.objects.get_children(a)) == []
    assert fresh(tree.a1g).path.startswith(fresh(tree.a1).path)
    assert fresh(tree.a1).path.startswith(b.path)
    assert fresh(tree.unit_a).org_id == b.pk
    assert fresh(tree.unit_a).party_org_id == tree.a2.pk  # A2 itself moved, not merged
    assert Organization.objects.find_problems() == NO_PROBLEMS


def test_merge_moves_party_org(tree, users, fresh):
    services.merge_organizations(fresh(tree.a2), user=users.street, survivor=fresh(tree.a1))
    assert fresh(tree.unit_a).party_org_id == tree.a1.pk
    assert fresh(tree.unit_a).org_id == tree.a.pk
    assert fresh(tree.a2).merged_into_id == tree.a1.pk


def test_merge_keeps_grants_and_history_on_absorbed(tree, users, make_user, fresh):
    grid_b = make_user("grid_staff", tree.b1, username="grid_b")
    services.merge_organizations(fresh(tree.a1), user=users.street, survivor=fresh(tree.b1))
    assert users.grid_a.grants.get().org_id == tree.a1.pk
    assert grid_b.grants.get().org_id == tree.b1.pk
    assert OrgEvent.objects.filter(org=tree.a1, step="established").count() == 1
    assert OrgEvent.objects.filter(org=tree.b1, step="established").count() == 1


def test_merge_into_own_descendant_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.merge_organizations(fresh(tree.a), user=users.street, survivor=fresh(tree.a1))
    assert refused.value.message == "不能把“金安社区党委”并入它的下级组织“达嘉馨园小区党支部”。"
    assert state() == before


def test_merge_with_itself_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.merge_organizations(fresh(tree.a1), user=users.street, survivor=fresh(tree.a1))
    assert refused.value.message == "不能把组织并入它自己。"
    assert state() == before


def test_merge_children_that_cannot_stand_under_survivor_refused(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.merge_organizations(fresh(tree.a), user=users.street, survivor=fresh(tree.b1))
    assert refused.value.message.startswith(
        "“金安社区党委”的下级组织“达嘉馨园小区党支部”（党支部）不能设在党支部“金林湾花园小区党支部”之下")
    assert state() == before


def test_community_staff_cannot_merge(tree, users, fresh):
    before = state()
    with pytest.raises(OutOfScope):
        services.merge_organizations(fresh(tree.a2), user=users.community_a,
                                     survivor=fresh(tree.a1))
    assert state() == before


def test_merge_dissolved_refused(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a2), user=users.street)
    with pytest.raises(DomainError) as refused:
        services.merge_organizations(fresh(tree.a2), user=users.street, survivor=fresh(tree.a1))
    assert refused.value.message == "已撤销的组织不能合并。"


# ---- dissolve -------------------------------------------------------------------------------

def test_dissolve_refused_with_children(tree, users, fresh):
    before = state()
    with pytest.raises(DomainError) as refused:
        services.dissolve_organization(fresh(tree.a), user=users.street)
    assert "2 个下级组织" in refused.value.message
    assert refused.value.message == "“金安社区党委”还有2 个下级组织，请先转移或撤销后再撤销本组织。"
    assert state() == before


def test_dissolve_refused_with_children_and_grids(tree, users, fresh):
    with pytest.raises(DomainError) as refused:
        services.dissolve_organization(fresh(tree.a1), user=users.street)
    assert "1 个下级组织、1 个网格" in refused.value.message
    assert fresh(tree.a1).dissolved_on is None


def test_dissolve_counts_only_active_children(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a1g), user=users.street)
    with pytest.raises(DomainError) as refused:
        services.dissolve_organization(fresh(tree.a1), user=users.street)
    assert "下级组织" not in refused.value.message
    assert "1 个网格" in refused.value.message


def test_dissolve(tree, users, fresh):
    on = datetime.date(2025, 6, 30)
    services.dissolve_organization(fresh(tree.a1g), user=users.street, on=on, reason="楼栋拆除")
    a1g = fresh(tree.a1g)
    assert (a1g.dissolved_on, a1g.dissolution_reason, a1g.is_active) == (on, "楼栋拆除", False)
    assert events(a1g, "dissolved") == [("dissolved", "撤销：楼栋拆除")]
    assert OrgEvent.objects.get(org=a1g, step="dissolved").actor == users.street
    # a dissolved node stays in the tree
    assert fresh(tree.a1).numchild == 1
    assert Organization.objects.find_problems() == NO_PROBLEMS
    assert list(Organization.objects.filter(path__startswith=tree.a1.path).active()
                .values_list("code", flat=True)) == ["JS-A1"]

    with pytest.raises(DomainError) as refused:
        services.dissolve_organization(fresh(tree.a1g), user=users.street)
    assert refused.value.message == "“一号楼党小组”已于 2025-06-30 撤销。"


def test_dissolve_before_established_refused(tree, users, fresh):
    org = services.create_organization(user=users.street, parent=tree.a, code="JS-A5", name="新支部",
                                       kind="branch", sector="community",
                                       established_on=datetime.date(2024, 1, 1))
    with pytest.raises(DomainError) as refused:
        services.dissolve_organization(fresh(org), user=users.street, on=datetime.date(2023, 1, 1))
    assert refused.value.message == "撤销日期不能早于成立日期。"
    assert fresh(org).dissolved_on is None


def test_community_staff_cannot_dissolve(tree, users, fresh):
    with pytest.raises(OutOfScope):
        services.dissolve_organization(fresh(tree.a1g), user=users.community_a)
    assert fresh(tree.a1g).dissolved_on is None


# ---- reading a subtree ----------------------------------------------------------------------

def test_subtree_is_one_prefix_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        rows = list(Organization.objects.filter(path__startswith=tree.a.path))
    assert [o.code for o in rows] == ["JS-A", "JS-A1", "JS-A1G", "JS-A2"]
    sql = captured.captured_queries[0]["sql"]
    assert re.search(r'"path"(::text)? LIKE', sql), sql


# ---- grids ----------------------------------------------------------------------------------

def test_grid_created(tree, users, fresh):
    grid = services.save_grid(Grid(code="G-A2", name="金安第二网格",
                                   org=fresh(tree.a2)), user=users.community_a)
    assert grid.pk and grid.name_initials == "jadewg"
    assert events(tree.a2, "grid_added") == [("grid_added", "新设网格“金安第二网格”")]


def test_grid_on_group_refused(tree, users, fresh):
    with pytest.raises(DomainError) as refused:
        services.save_grid(Grid(code="G-X", name="小组网格", org=fresh(tree.a1g)), user=users.street)
    assert refused.value.message == (
        "网格不能挂在党小组“一号楼党小组”上，须属于社区党委、党总支或党支部。")
    assert refused.value.field == "org"
    assert not Grid.objects.filter(code="G-X").exists()


def test_grid_on_street_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_grid(Grid(code="G-X", name="街道网格", org=tree.s), user=users.street)
    assert "网格不能挂在党工委“金山街道党工委”上" in refused.value.message


def test_grid_on_dissolved_org_refused(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a2), user=users.street)
    with pytest.raises(DomainError) as refused:
        services.save_grid(Grid(code="G-X", name="网格", org=fresh(tree.a2)), user=users.street)
    assert refused.value.message == "“鼎峰集团党支部”已撤销。"
    assert not Grid.objects.filter(code="G-X").exists()


def test_grid_duplicate_code_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_grid(Grid(code="G-B", name="重复", org=tree.a1), user=users.street)
    assert refused.value.message == "网格编码已被使用。"


def test_grid_with_buildings_cannot_be_deleted(tree, users):
    with pytest.raises(DomainError) as refused:
        services.delete_grid(tree.grid_a, user=users.street)
    assert refused.value.message == "网格“金安第一网格”还有 1 栋楼，请先移除。"
    assert Grid.objects.filter(pk=tree.grid_a.pk).exists()


# ---- buildings ------------------------------------------------------------------------------

def test_building_negative_households_refused_by_validation(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_building(Building(grid=tree.grid_a, name="2号楼",
                                        households=-3), user=users.grid_a)
    assert refused.value.message == "户数不能为负数。"
    assert refused.value.field == "households"
    assert not Building.objects.filter(name="2号楼").exists()


def test_building_negative_households_refused_by_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Building.objects.create(grid=tree.grid_a, name="2号楼", households=-3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Building.objects.filter(pk=tree.building.pk).update(households=-1)
    assert Building.objects.get(pk=tree.building.pk).households == 48
    assert not Building.objects.filter(name="2号楼").exists()


def test_building_duplicate_name_in_grid_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_building(Building(grid=tree.grid_a, name="1号楼"), user=users.grid_a)
    assert refused.value.message == "该网格内已有同名楼栋。"


def test_building_saved(tree, users):
    building = services.save_building(Building(grid=tree.grid_a, name="2号楼",
                                               households=0, floors=18), user=users.grid_a)
    assert Building.objects.get(pk=building.pk).households == 0


# ---- units ----------------------------------------------------------------------------------

def _unit(tree, **values):
    data = {"code": "U-N", "name": "新单位", "unit_type": "bank", "org": tree.a}
    data.update(values)
    return Unit(**data)


def test_unit_coordinates_outside_china_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_unit(_unit(tree, lng=Decimal("2.352222"), lat=Decimal("48.856613")),
                           user=users.community_a)
    assert refused.value.message.startswith("坐标（2.352222, 48.856613）不在中国境内")
    assert refused.value.field == "lng"
    assert not Unit.objects.filter(code="U-N").exists()


def test_unit_lat_without_lng_refused(tree, users):
    with pytest.raises(DomainError) as refused:
        services.save_unit(_unit(tree, lat=Decimal("24.48")), user=users.community_a)
    assert refused.value.message == "经度和纬度须同时填写。"


def test_unit_in_china_saved(tree, users):
    unit = services.save_unit(_unit(
        tree, lng=Decimal("118.089425"), lat=Decimal("24.479834"),
        contact_phone="0592-5551234"), user=users.community_a)
    unit = Unit.objects.get(pk=unit.pk)
    assert (unit.lng, unit.lat) == (Decimal("118.089425"), Decimal("24.479834"))
    assert (unit.name_pinyin, unit.name_initials) == ("xindanwei", "xdw")


@pytest.mark.parametrize("phone", ["13800138000", "0592-5551234", "05925551234",
                                   "010-12345678-123"])
def test_unit_phone_accepted(tree, users, phone):
    unit = services.save_unit(_unit(tree, contact_phone=phone), user=users.community_a)
    assert Unit.objects.get(pk=unit.pk).contact_phone == phone


@pytest.mark.parametrize("phone", ["12345", "12800138000", "1380013800", "5551234",
                                   "+86 13800138000"])
def test_unit_phone_refused(tree, users, phone):
    with pytest.raises(DomainError) as refused:
        services.save_unit(_unit(tree, contact_phone=phone), user=users.community_a)
    assert refused.value.message == "电话须为 11 位手机号或带区号的固定电话（如 0592-5551234）。"
    assert not Unit.objects.filter(code="U-N").exists()


def test_unit_on_dissolved_org_refused(tree, users, fresh):
    services.dissolve_organization(fresh(tree.a1g), user=users.street)
    with pytest.raises(DomainError) as refused:
        services.save_unit(_unit(tree, party_org=fresh(tree.a1g)), user=users.street)
    assert refused.value.message == "“一号楼党小组”已撤销。"
    assert refused.value.field == "party_org"


def test_unit_with_liaison_cannot_be_deleted(tree, users):
    with pytest.raises(DomainError) as refused:
        services.delete_unit(tree.unit_a, user=users.street)
    assert refused.value.message == "该单位还有联络员账户，请先由安全管理员收回授权。"
    assert Unit.objects.filter(pk=tree.unit_a.pk).exists()


def test_street_and_community_of_any_organisation(tree):
    from gongjian.orgs.models import community_path, street_path

    assert street_path(tree.a1g) == tree.s.path
    assert community_path(tree.a1g.path, tree.s.path) == tree.a.path
    assert community_path(tree.s.path, tree.s.path) == tree.s.path
    communities = set(Organization.objects.communities().values_list("code", flat=True))
    assert communities == {"JS-A", "JS-B"}  # not their branches, groups or the street


def test_street_is_the_deepest_working_committee_in_a_city_wide_tree(tree):
    city = services.create_organization(user=None, parent=None, code="CITY", name="某市委城市工委",
                                        kind="working_committee", sector="street")
    district = services.create_organization(user=None, parent=city, code="CITY-D",
                                            name="某区街道工委", kind="working_committee",
                                            sector="street")
    street = services.create_organization(user=None, parent=district, code="CITY-D-S",
                                          name="某街道党工委", kind="working_committee",
                                          sector="street")
    community = services.create_organization(user=None, parent=street, code="CITY-D-S-1",
                                             name="某社区党委", kind="committee",
                                             sector="community")
    branch = services.create_organization(user=None, parent=community, code="CITY-D-S-1-1",
                                          name="某小区党支部", kind="branch",
                                          sector="community")
    from gongjian.orgs.models import community_path, street_path

    branch = Organization.objects.get(pk=branch.pk)
    assert street_path(branch) == Organization.objects.get(pk=street.pk).path
    assert community_path(branch.path, street_path(branch)) == \
        Organization.objects.get(pk=community.pk).path
    assert set(Organization.objects.communities().filter(path__startswith=city.path)
               .values_list("code", flat=True)) == {"CITY-D-S-1"}
