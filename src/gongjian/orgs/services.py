"""Every change to the organisation system goes through these functions.

Each one validates, writes inside a transaction, re-checks that the result is still inside
the acting user's reach, and leaves both an audit entry and a line of the organisation's
history. A refused step raises DomainError with a Chinese message and writes nothing.
"""

import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ForeignKey, Q
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.models import User
from gongjian.core.services import (
    DomainError,
    delete_checked,
    require_scope,
    save_checked,
    validate,
)
from gongjian.core.workflow import record_event

from .choices import GRID_OWNER_KINDS
from .models import Building, Grid, GridPost, GridRole, Organization, Unit
from .signals import tree_changed, tree_changing

M = TypeVar("M", Building, Unit, GridRole)

# Relations that stay with an absorbed organisation when it is merged: its own history and
# the grants made on it (moving a grant would silently widen someone's reach).
MERGE_KEEPS = {("orgs", "orgevent"), ("core", "rolegrant"), ("orgs", "organization")}

# Relations whose rows keep an organisation from being dissolved, with how to name them.
# Later capabilities register theirs (members, for one) with `register_dissolve_blocker`.
DISSOLVE_BLOCKERS: list[tuple[str, str, Q | None]] = [
    ("grids", "个网格", None),
]


def register_merge_keep(app_label: str, model_name: str) -> None:
    """Rows of this model stay with the absorbed organisation in a merge (their app moves
    what they derive from itself, on `tree_changed`)."""
    MERGE_KEEPS.add((app_label, model_name))


def register_dissolve_blocker(related_name: str, unit_label: str,
                              filter_q: Q | None = None) -> None:
    DISSOLVE_BLOCKERS.append((related_name, unit_label, filter_q))


def _placement(kind: str, parent: Organization | None) -> None:
    try:
        Organization.check_placement(kind, parent)
    except ValidationError as error:
        raise DomainError.from_validation(error) from error


def create_organization(*, user: User | None, parent: Organization | None, code: str, name: str,
                        kind: str, sector: str, established_on: datetime.date | None = None,
                        is_regional: bool = False, project_name: str = "",
                        note: str = "") -> Organization:
    """Set up an organisation under `parent`. A root (a street's working committee) has no
    parent and is set up from the command line (`gongjian street`), where `user` is None."""
    if parent is None and user is not None:
        raise DomainError("请选择上级组织。街道党工委由系统管理员在服务器上用 gongjian street 设立。",
                          field="parent", status=400)
    if parent is not None and user is not None:
        require_scope(user, "add", parent)  # before any message that names the parent
    _placement(kind, parent)
    org = Organization(code=code, name=name, kind=kind, sector=sector, is_regional=is_regional,
                       established_on=established_on, project_name=project_name, note=note)
    validate(org, exclude=["path", "depth", "numchild"])
    with transaction.atomic():
        if parent is None:
            org = Organization.objects.add_root(instance=org)
        else:
            parent = Organization.objects.select_for_update().get(pk=parent.pk)
            org = Organization.objects.add_child(parent, instance=org)
        if user is not None:
            require_scope(user, "add", org)
        where = f"在“{parent.name}”之下" if parent else ""
        record_event(org, "established", user, text=f"{where}设立{org.get_kind_display()}")
    return org


def update_organization(org: Organization, *, user: User, **changes: Any) -> Organization:
    require_scope(user, "change", org)
    if not org.is_active:
        raise DomainError("已撤销的组织不能修改。")
    old_name, old_kind = org.name, org.kind
    for field, value in changes.items():
        setattr(org, field, value)
    if org.kind != old_kind:
        parent = Organization.objects.get_parent(org)
        _placement(org.kind, parent)
        for child in Organization.objects.get_children(org).active():
            try:
                Organization.check_placement(child.kind, org)
            except ValidationError as error:
                raise DomainError(
                    f"改为{org.get_kind_display()}后，下级组织“{child.name}”将无法保留"
                    f"（{child.get_kind_display()}不能设在{org.get_kind_display()}之下）。"
                ) from error
        if org.grids.exists() and org.kind not in GRID_OWNER_KINDS:
            raise DomainError(f"该组织还有网格，不能改为{org.get_kind_display()}。")
    with transaction.atomic():
        save_checked(user, org, "change", exclude=["path", "depth", "numchild"])
        if org.name != old_name:
            record_event(org, "renamed", user, text=f"名称由“{old_name}”改为“{org.name}”")
        elif org.kind != old_kind:
            record_event(org, "changed", user, text=f"类别改为{org.get_kind_display()}")
        else:
            record_event(org, "changed", user, text="修改了组织信息")
    return org


def move_organization(org: Organization, *, user: User,
                      new_parent: Organization | None) -> Organization:
    """Move `org` with its whole subtree under `new_parent`."""
    require_scope(user, "move", org)
    if not org.is_active:
        raise DomainError("已撤销的组织不能移动。")
    if new_parent is None:
        raise DomainError("请选择新的上级组织。", field="parent", status=400)
    require_scope(user, "move", new_parent)  # before any message that names the new parent
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise DomainError(f"不能把“{org.name}”移到它自己或它的下级组织“{new_parent.name}”之下。",
                          field="parent", status=400)
    old_parent = Organization.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise DomainError(f"“{org.name}”已在“{new_parent.name}”之下。", field="parent",
                          status=400)
    _placement(org.kind, new_parent)
    before = {"parent": old_parent.code if old_parent else None, "path": org.path}
    with transaction.atomic():
        moving = {"paths": [org.path], "context": {}}
        tree_changing.send(Organization, **moving)
        Organization.objects.move(org, new_parent, "last-child")
        tree_changed.send(Organization, **moving)
        org.refresh_from_db()
        require_scope(user, "move", org)
        after = {"parent": new_parent.code, "path": org.path}
        audit.record("move", org, before=before, after=after)
        text = f"由“{old_parent.name if old_parent else '顶层'}”移至“{new_parent.name}”之下"
        record_event(org, "moved", user, text=text)
        if old_parent is not None:
            record_event(old_parent, "child_out", user,
                         text=f"下级组织“{org.name}”移至“{new_parent.name}”")
        record_event(new_parent, "child_in", user,
                     text=f"“{org.name}”从“{old_parent.name if old_parent else '顶层'}”移入")
    return org


def _org_foreign_keys():
    """Every foreign key from another model to Organization that follows a merge."""
    for rel in Organization._meta.related_objects:
        if not isinstance(rel.field, ForeignKey):
            continue
        if (rel.related_model._meta.app_label, rel.related_model._meta.model_name) in MERGE_KEEPS:
            continue
        yield rel.related_model, rel.field.name


def merge_organizations(absorbed: Organization, *, user: User, survivor: Organization,
                        on: datetime.date | None = None, reason: str = "") -> Organization:
    """Merge `absorbed` into `survivor`: its children, grids, units (and members) go to the
    survivor, and `absorbed` is dissolved with a pointer to where it went."""
    require_scope(user, "merge", absorbed)
    require_scope(user, "merge", survivor)
    on = on or timezone.localdate()
    if absorbed.pk == survivor.pk:
        raise DomainError("不能把组织并入它自己。", field="survivor", status=400)
    if not absorbed.is_active or not survivor.is_active:
        raise DomainError("已撤销的组织不能合并。")
    if survivor.path.startswith(absorbed.path):
        raise DomainError(f"不能把“{absorbed.name}”并入它的下级组织“{survivor.name}”。",
                          field="survivor", status=400)
    children = list(Organization.objects.get_children(absorbed))
    for child in children:
        if child.is_active:
            try:
                Organization.check_placement(child.kind, survivor)
            except ValidationError as error:
                raise DomainError(
                    f"“{absorbed.name}”的下级组织“{child.name}”（{child.get_kind_display()}）"
                    f"不能设在{survivor.get_kind_display()}“{survivor.name}”之下，请先调整。"
                ) from error
    if absorbed.grids.exists() and survivor.kind not in GRID_OWNER_KINDS:
        raise DomainError(f"“{absorbed.name}”有网格，{survivor.get_kind_display()}不能接收网格。")
    with transaction.atomic():
        moving = {"paths": [absorbed.path], "context": {}}
        tree_changing.send(Organization, **moving)
        moved_children = []
        for child in children:
            child = Organization.objects.get(pk=child.pk)  # paths shift after each move
            Organization.objects.move(child, Organization.objects.get(pk=survivor.pk), "last-child")
            moved_children.append(child.code)
        moved = {}
        for model, field in _org_foreign_keys():
            count = model._default_manager.filter(**{field: absorbed}).update(**{field: survivor})
            if count:
                moved[f"{model._meta.label_lower}.{field}"] = count
        tree_changed.send(Organization, **moving)
        absorbed = Organization.objects.get(pk=absorbed.pk)
        absorbed.dissolved_on = on
        absorbed.merged_into = survivor
        absorbed.dissolution_reason = reason or f"并入{survivor.name}"
        absorbed.save()
        survivor = Organization.objects.get(pk=survivor.pk)
        require_scope(user, "merge", survivor)
        audit.record("merge", absorbed, after={"survivor": survivor.code,
                                               "children": moved_children, "moved": moved})
        summary = _merge_summary(len(moved_children), moved)
        record_event(absorbed, "merged_into", user, text=f"并入“{survivor.name}”{summary}")
        record_event(survivor, "absorbed", user, text=f"吸收合并“{absorbed.name}”{summary}")
    return survivor


# How a merge's history line names what moved, by "app.model.field"; other relations are
# counted as records. Later capabilities add theirs with `register_merge_label`.
MERGE_LABELS = {"orgs.grid.org": "个网格", "orgs.unit.org": "个单位关联",
                "orgs.unit.party_org": "个单位关联"}


def register_merge_label(relation: str, unit_label: str) -> None:
    MERGE_LABELS[relation] = unit_label


def _merge_summary(children: int, moved: dict[str, int]) -> str:
    counts = {"个下级组织": children} if children else {}
    for relation, count in moved.items():
        label = MERGE_LABELS.get(relation, "条其他记录")
        if not label:  # registered with "": rows derived from others, not told apart
            continue
        counts[label] = counts.get(label, 0) + count
    return "，转入" + "、".join(f"{n} {label}" for label, n in counts.items()) if counts else ""


def dissolve_organization(org: Organization, *, user: User,
                          on: datetime.date | datetime.datetime | None = None,
                          reason: str = "") -> Organization:
    require_scope(user, "delete", org)
    on = on or timezone.localdate()
    if isinstance(on, datetime.datetime):
        on = on.date()
    with transaction.atomic():
        # Count and write from the locked current row, never from a caller's stale copy.
        org = Organization.objects.select_for_update().get(pk=org.pk)
        if not org.is_active:
            raise DomainError(f"“{org.name}”已于 {org.dissolved_on:%Y-%m-%d} 撤销。")
        if org.established_on and on < org.established_on:
            raise DomainError("撤销日期不能早于成立日期。", field="dissolved_on", status=400)
        blockers = []
        children = Organization.objects.get_children(org).active().count()
        if children:
            blockers.append(f"{children} 个下级组织")
        for related_name, label, filter_q in DISSOLVE_BLOCKERS:
            rows = getattr(org, related_name).all()
            if filter_q is not None:
                rows = rows.filter(filter_q)
            if count := rows.count():
                blockers.append(f"{count} {label}")
        if blockers:
            raise DomainError(
                f"“{org.name}”还有{'、'.join(blockers)}，请先转移或撤销后再撤销本组织。")
        org.dissolved_on = on
        org.dissolution_reason = reason
        org.save()
        audit.record("dissolve", org, after={"dissolved_on": on.isoformat(), "reason": reason})
        record_event(org, "dissolved", user, text="撤销" + (f"：{reason}" if reason else ""))
    return org


# ---- grids, posts, buildings, units -------------------------------------------------------

def save_grid(grid: Grid, *, user: User) -> Grid:
    creating = grid.pk is None
    if not creating:
        require_scope(user, "change", grid)
    with transaction.atomic():
        save_checked(user, grid, "add" if creating else "change")
        if creating:
            record_event(grid.org, "grid_added", user, text=f"新设网格“{grid.name}”")
    return grid


def delete_grid(grid: Grid, *, user: User) -> None:
    if grid.buildings.exists():
        raise DomainError(f"网格“{grid.name}”还有 {grid.buildings.count()} 栋楼，请先移除。")
    org = grid.org
    with transaction.atomic():
        delete_checked(user, grid)
        record_event(org, "grid_removed", user, text=f"撤销网格“{grid.name}”")


def add_grid_post(grid: Grid, *, user: User, role: GridRole, holder_name: str,
                  since: datetime.date | None = None) -> GridPost:
    require_scope(user, "change", grid)
    if not role.active:
        raise DomainError(f"岗位“{role.name}”已停用。", field="role", status=400)
    post = GridPost(grid=grid, role=role, holder_name=holder_name.strip(), since=since)
    if GridPost.objects.filter(grid=grid, role=role, holder_name=post.holder_name).exists():
        raise DomainError(f"{post.holder_name} 已担任该网格的{role.name}。", status=400)
    return save_checked(user, post, "add")


def remove_grid_post(post: GridPost, *, user: User) -> None:
    delete_checked(user, post)


def _save_row(row: M, user: User) -> M:
    """Add a new row, or save a changed one the user may change."""
    if row.pk is not None:
        require_scope(user, "change", row)
    return save_checked(user, row, "add" if row.pk is None else "change")


def save_building(building: Building, *, user: User) -> Building:
    return _save_row(building, user)


def delete_building(building: Building, *, user: User) -> None:
    delete_checked(user, building)


def save_unit(unit: Unit, *, user: User) -> Unit:
    return _save_row(unit, user)


def delete_unit(unit: Unit, *, user: User) -> None:
    if unit.grants.exists():
        raise DomainError("该单位还有联络员账户，请先由安全管理员收回授权。")
    delete_checked(user, unit)


def save_grid_role(role: GridRole, *, user: User) -> GridRole:
    return _save_row(role, user)


def ensure_default_grid_roles() -> None:
    from .choices import DEFAULT_GRID_ROLES

    for order, name in enumerate(DEFAULT_GRID_ROLES, start=1):
        GridRole.objects.get_or_create(name=name, defaults={"order": order})

