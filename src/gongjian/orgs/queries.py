"""Reads and figures of the organisation system, always within the reader's reach."""

from django.db.models import Count, Q, Sum
from django.urls import reverse

from gongjian.core.access import ROLE_LABELS, SELF_ROLES, grants_of, restrict
from gongjian.core.figures import percent

from .choices import NON_PUBLIC_UNIT_TYPES, OrgKind
from .models import Building, Grid, Organization, Unit


def share(part, whole):
    """A percentage with one decimal, as reports quote it (26 of 27 → 96.3)."""
    return percent(part, whole)


def subtree_figures(user, org):
    """Counts for the subtree of `org` as `user` may see it: one aggregate query per model."""
    prefix = org.path
    orgs = restrict(user, "view", Organization).filter(path__startswith=prefix,
                                                       dissolved_on__isnull=True)
    by_kind = dict(orgs.values_list("kind").annotate(n=Count("id")).order_by())
    grids = restrict(user, "view", Grid).filter(org__path__startswith=prefix).count()
    buildings = restrict(user, "view", Building).filter(
        grid__org__path__startswith=prefix).aggregate(n=Count("id"), households=Sum("households"))
    non_public = Q(unit_type__in=NON_PUBLIC_UNIT_TYPES)
    units = restrict(user, "view", Unit).filter(org__path__startswith=prefix).aggregate(
        total=Count("id"),
        non_public=Count("id", filter=non_public),
        covered=Count("id", filter=non_public & Q(party_org__isnull=False)),
    )
    return {
        "organizations": sum(by_kind.values()),
        "by_kind": [(OrgKind(k).label, by_kind[k]) for k in OrgKind.values if by_kind.get(k)],
        "grids": grids,
        "buildings": buildings["n"],
        "households": buildings["households"] or 0,
        "units": units["total"],
        "non_public_units": units["non_public"],
        "non_public_covered": units["covered"],
        "non_public_coverage": share(units["covered"], units["non_public"]),
    }


def scope_summary(user):
    """The home page's 'scope at a glance': one block per organisational grant."""
    blocks = []
    for grant in grants_of(user):
        if grant.role in SELF_ROLES:
            continue
        if grant.org_id and restrict(user, "view", Organization).filter(pk=grant.org_id).exists():
            f = subtree_figures(user, grant.org)
            coverage = (f"{f['non_public_coverage']}%" if f["non_public_coverage"] is not None
                        else "—")
            code = grant.org.code
            cards = [
                {"label": "党组织", "value": f["organizations"],
                 "url": reverse("org_detail", args=[code])},
                {"label": "网格", "value": f["grids"], "url": reverse("grid_list") + f"?within={code}"},
                {"label": "楼栋", "value": f["buildings"]},
                {"label": "户数", "value": f"{f['households']:,}"},
                {"label": "驻区单位", "value": f["units"], "url": reverse("unit_list") + f"?within={code}"},
                {"label": f"两新组织党组织覆盖（{f['non_public_covered']}/{f['non_public_units']}）",
                 "value": coverage,
                 "url": reverse("unit_list") + f"?within={code}&non_public=1"},
            ]
            blocks.append({"role": ROLE_LABELS[grant.role], "org": grant.org, "cards": cards,
                           "kinds": f["by_kind"]})
        elif grant.unit_id:
            unit = restrict(user, "view", Unit).filter(pk=grant.unit_id).first()
            if unit is not None:
                cards = [{"label": "单位类型 · 查看本单位", "value": unit.get_unit_type_display(),
                          "url": reverse("unit_detail", args=[unit.code])}]
                blocks.append({"role": ROLE_LABELS[grant.role], "unit": unit, "cards": cards})
    return blocks


def tree_roots(user):
    """The top nodes of what the user may see: their grants' nodes, minus nested ones."""
    nodes = sorted({g.org.path: g.org for g in grants_of(user)
                    if g.org_id and g.role not in SELF_ROLES}.items())
    roots = []
    for path, _org in nodes:
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    return list(restrict(user, "view", Organization).filter(path__in=roots).order_by("path"))


def children_of(user, org, include_dissolved=False):
    rows = restrict(user, "view", Organization).filter(
        path__startswith=org.path, depth=org.depth + 1)
    if not include_dissolved:
        rows = rows.filter(dissolved_on__isnull=True)
    return rows.order_by("path")


def ancestors_visible(user, org):
    """Breadcrumb: the ancestors of `org` the user may open."""
    paths = [org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
    return list(restrict(user, "view", Organization).filter(path__in=paths).order_by("depth"))
