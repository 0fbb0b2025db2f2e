"""Who may do what, where: the one funnel every read and write goes through.

A grant is a role at an organisation node (covering its subtree), at a unit, or for the
platform. `queryset.restrict(user, action)` keeps only the rows the user may act on; a view
that finds nothing there answers 404, so out-of-scope objects are indistinguishable from
missing ones.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Role:
    """A role: its name in code, its label, and where it is granted — at an organisation
    (covering its subtree), at a unit, to the person themself (their org is their home, not a
    reach), or for the platform."""

    name: str
    label: str
    scope: str  # "org" | "unit" | "self" | "platform"


ROLES: dict[str, Role] = {}
# Views of the registry kept for the readers that only need one facet (updated in place).
ROLE_LABELS: dict[str, str] = {}
ROLES_AT_ORG: set[str] = set()
ROLES_AT_UNIT: set[str] = set()
PLATFORM_ROLES: set[str] = set()
SELF_ROLES: set[str] = set()
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {}
_SCOPES = {"org": (ROLES_AT_ORG,), "self": (ROLES_AT_ORG, SELF_ROLES), "unit": (ROLES_AT_UNIT,),
           "platform": (PLATFORM_ROLES,)}


def register_role(name: str, label: str, scope: str, permissions: Iterable[str] = ()) -> Role:
    """Declare a role (a capability may add one from its AppConfig.ready; no migration: the
    grant's choices are read from this registry)."""
    if scope not in _SCOPES:
        raise ValueError(f"unknown role scope {scope!r}")
    if name in ROLES:
        raise ValueError(f"role {name!r} declared twice")
    role = Role(name, label, scope)
    ROLES[name] = role
    ROLE_LABELS[name] = label
    for group in _SCOPES[scope]:
        group.add(name)
    # Every account reads its own notifications (Notification.open_scope keeps them its own).
    ROLE_PERMISSIONS[name] = frozenset(set(permissions)
                                       | _perms("core", "notification", "view", "change"))
    return role


def role_choices() -> list[tuple[str, str]]:
    return [(role.name, role.label) for role in ROLES.values()]


def role_label(name: str) -> str:
    return ROLE_LABELS.get(name, name)


def _perms(app: str, model: str, *actions: str) -> set[str]:
    return {f"{app}.{action}_{model}" for action in actions}


_ORG_READ = _perms("orgs", "organization", "view") | _perms("orgs", "orgevent", "view")
_GRID_ALL = (
    _perms("orgs", "grid", "view", "add", "change", "delete")
    | _perms("orgs", "gridpost", "view", "add", "delete")
    | _perms("orgs", "building", "view", "add", "change", "delete")
)

_PEOPLE_STAFF = (
    _perms("members", "person", "view", "add", "change", "reveal")
    | _perms("members", "membership", "view", "add", "change")
    | _perms("members", "team", "view", "add", "change")
    | _perms("members", "teamseat", "view", "add", "change")
    | _perms("members", "staffassignment", "view", "add", "change", "delete")
    | _perms("members", "staffingstandard", "view")
)

register_role("street_staff", "街道党建办", "org", _ORG_READ
              | _perms("orgs", "organization", "add", "change", "move", "merge", "delete")
              | _GRID_ALL
              | _perms("orgs", "unit", "view", "add", "change", "delete")
              | _perms("orgs", "gridrole", "view", "add", "change")
              | _PEOPLE_STAFF
              | _perms("members", "staffingstandard", "change"))
register_role("community_staff", "社区党务工作者", "org", _ORG_READ
              | _perms("orgs", "organization", "add", "change", "move")
              | _GRID_ALL
              | _perms("orgs", "unit", "view", "add", "change")
              | _perms("orgs", "gridrole", "view")
              | _PEOPLE_STAFF)
register_role("grid_staff", "网格党支部书记/网格员", "org", _ORG_READ
              | _perms("orgs", "grid", "view", "change")
              | _perms("orgs", "gridpost", "view", "add", "delete")
              | _perms("orgs", "building", "view", "add", "change")
              | _perms("orgs", "unit", "view")
              | _perms("orgs", "gridrole", "view")
              | _perms("members", "person", "view")
              | _perms("members", "membership", "view"))
# One branch and its groups: the committee keeps its branch's organisational life, members
# and teams (capabilities add their rights to it).
register_role("branch_committee", "党支部书记/支部委员", "org", _ORG_READ
              | _perms("members", "person", "view")
              | _perms("members", "membership", "view")
              | _perms("members", "team", "view")
              | _perms("members", "teamseat", "view"))
register_role("unit_liaison", "共建单位联络员", "unit", _perms("orgs", "unit", "view", "change"))
# A member sees their own record, in full.
register_role("member", "党员", "self", _perms("members", "person", "view", "reveal")
              | _perms("members", "membership", "view"))
register_role("resident", "居民", "self")
register_role("sys_admin", "系统管理员", "platform", _perms("core", "user", "view", "add", "change"))
register_role("sec_admin", "安全管理员", "platform", _perms("core", "user", "view")
              | _perms("core", "rolegrant", "view", "add", "delete"))
register_role("audit_admin", "审计管理员", "platform", _perms("core", "auditentry", "view"))


def extend_role_permissions(extra: dict[str, set[str]]) -> None:
    """Add a capability's rights to the roles (called from its AppConfig.ready)."""
    for role, perms in extra.items():
        if role not in ROLE_LABELS:
            raise KeyError(f"unknown role {role!r}")
        ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(perms))


def perms(app: str, model: str, *actions: str) -> set[str]:
    """`perms("wishes", "wish", "view", "claim")` → {"wishes.view_wish", "wishes.claim_wish"}."""
    return _perms(app, model, *actions)


def grants_of(user):
    """The user's grants, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_grants_cache", None)
    if cached is None:
        cached = tuple(user.grants.select_related("org", "unit"))
        user._grants_cache = cached
    return cached


def permission_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def can(user, action: str, model) -> bool:
    """Whether the user holds `action` on `model` anywhere at all (for menus and buttons)."""
    perm = permission_name(model, action)
    return any(perm in ROLE_PERMISSIONS.get(g.role, ()) for g in grants_of(user))


def _shared_condition(model, grant, action) -> Q | None:
    """The declared rule "members read their own branch's (or street's) shared rows": a model
    sets `shared_with_members = (path lookup, "branch" | "street")` and members and residents
    read, never change, the rows of their branch (its subtree) or of their whole street."""
    rule = getattr(model, "shared_with_members", None)
    if rule is None or action != "view" or grant.role not in SELF_ROLES or not grant.org_id:
        return None
    lookup, level = rule
    if level == "street":
        from gongjian.orgs.models import street_path  # orgs' models build on this module

        return Q(**{f"{lookup}__startswith": street_path(grant.org)})
    if level == "branch":
        return Q(**{f"{lookup}__startswith": grant.org.path})
    raise ValueError(f"unknown sharing level {level!r}")


def _either(*conditions: Q | None) -> Q | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined |= condition
    return combined


def _scope_condition(model, grant, action) -> Q | None:
    # Rows a model opens beyond the grant's own reach (a published wish to every claimer).
    opened = _either(model.open_scope(action, grant) if hasattr(model, "open_scope") else None,
                     _shared_condition(model, grant, action))
    own = _own_scope_condition(model, grant)
    if opened is None:
        return own
    return opened if own is None else own | opened


def _own_scope_condition(model, grant) -> Q | None:
    if grant.role in SELF_ROLES:
        self_lookup = getattr(model, "scope_self", None)
        return Q(**{self_lookup: grant.user_id}) if self_lookup else None
    if grant.org_id and (path_lookup := getattr(model, "scope_org_path", None)):
        return Q(**{f"{path_lookup}__startswith": grant.org.path})
    if grant.unit_id and (unit_lookup := getattr(model, "scope_unit", None)):
        return Q(**{unit_lookup: grant.unit_id})
    return None


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows of this queryset that `user` may `action` (view, add, change, delete, ...)."""
        perm = permission_name(self.model, action)
        # Rows shown to anyone, signed in or not (a community's public board).
        condition = self.model.public_scope(action) if hasattr(self.model, "public_scope") else None
        for grant in grants_of(user):
            if perm not in ROLE_PERMISSIONS.get(grant.role, ()):
                continue
            if getattr(self.model, "scope_global", False):
                return self
            q = _scope_condition(self.model, grant, action)
            if q is not None:
                condition = q if condition is None else condition | q
        return self.none() if condition is None else self.filter(condition)


def restrict(user, action: str, queryset_or_model):
    """Functional form of the funnel: restrict(user, "view", Organization)."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    return qs.restrict(user, action)


def reach_orgs(user, action: str, model):
    """The organisation nodes whose subtrees a user may `action` `model` in (for pickers)."""
    perm = permission_name(model, action)
    return [g.org for g in grants_of(user)
            if g.org_id and g.role not in SELF_ROLES and perm in ROLE_PERMISSIONS.get(g.role, ())]
