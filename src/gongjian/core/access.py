"""Who may do what, where: the one funnel every read and write goes through.

A grant is a role at an organisation node (covering its subtree), at a unit, or for the
platform. `queryset.restrict(user, action)` keeps only the rows the user may act on; a view
that finds nothing there answers 404, so out-of-scope objects are indistinguishable from
missing ones.
"""

from django.db import models
from django.db.models import Q

ROLE_LABELS = {
    "street_staff": "街道党建办",
    "community_staff": "社区党务工作者",
    "grid_staff": "网格党支部书记/网格员",
    "unit_liaison": "共建单位联络员",
    "member": "党员",
    "resident": "居民",
    "sys_admin": "系统管理员",
    "sec_admin": "安全管理员",
    "audit_admin": "审计管理员",
}
ROLES_AT_ORG = {"street_staff", "community_staff", "grid_staff", "member", "resident"}
ROLES_AT_UNIT = {"unit_liaison"}
PLATFORM_ROLES = {"sys_admin", "sec_admin", "audit_admin"}
# Roles whose grant scopes the person's own records only; their org is their home, not a reach.
SELF_ROLES = {"member", "resident"}


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

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "street_staff": frozenset(
        _ORG_READ
        | _perms("orgs", "organization", "add", "change", "move", "merge", "delete")
        | _GRID_ALL
        | _perms("orgs", "unit", "view", "add", "change", "delete")
        | _perms("orgs", "gridrole", "view", "add", "change")
        | _PEOPLE_STAFF
        | _perms("members", "staffingstandard", "change")
    ),
    "community_staff": frozenset(
        _ORG_READ
        | _perms("orgs", "organization", "add", "change", "move")
        | _GRID_ALL
        | _perms("orgs", "unit", "view", "add", "change")
        | _perms("orgs", "gridrole", "view")
        | _PEOPLE_STAFF
    ),
    "grid_staff": frozenset(
        _ORG_READ
        | _perms("orgs", "grid", "view", "change")
        | _perms("orgs", "gridpost", "view", "add", "delete")
        | _perms("orgs", "building", "view", "add", "change")
        | _perms("orgs", "unit", "view")
        | _perms("orgs", "gridrole", "view")
        | _perms("members", "person", "view")
        | _perms("members", "membership", "view")
    ),
    "unit_liaison": frozenset(_perms("orgs", "unit", "view", "change")),
    # A member sees their own record, in full.
    "member": frozenset(_perms("members", "person", "view", "reveal")
                        | _perms("members", "membership", "view")),
    "resident": frozenset(),
    "sys_admin": frozenset(_perms("core", "user", "view", "add", "change")),
    "sec_admin": frozenset(
        _perms("core", "user", "view") | _perms("core", "rolegrant", "view", "add", "delete")
    ),
    "audit_admin": frozenset(_perms("core", "auditentry", "view")),
}


def extend_role_permissions(extra: dict[str, set[str]]) -> None:
    """Add a capability's rights to the roles (called from its AppConfig.ready)."""
    for role, perms in extra.items():
        if role not in ROLE_LABELS:
            raise KeyError(f"unknown role {role!r}")
        ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(perms))


def perms(app: str, model: str, *actions: str) -> set[str]:
    """`perms("wishes", "wish", "view", "claim")` → {"wishes.view_wish", "wishes.claim_wish"}."""
    return _perms(app, model, *actions)


# Every account reads its own notifications (Notification.open_scope keeps them its own).
for _role in ROLE_PERMISSIONS:
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms("core", "notification", "view",
                                                                 "change")


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


def _scope_condition(model, grant, action) -> Q | None:
    # Rows a model opens beyond the grant's own reach (a published wish to every claimer).
    opened = model.open_scope(action, grant) if hasattr(model, "open_scope") else None
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
