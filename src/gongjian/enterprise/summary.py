"""What the street has done for its companies: counted in SQL over the rows in the user's reach."""

from django.db.models import Count, Q
from django.utils import timezone

from gongjian.core.access import restrict
from gongjian.core.figures import percent
from gongjian.orgs.models import ancestor_paths

from .models import (
    OPEN_STATES,
    CadreLink,
    Case,
    Category,
    Satisfaction,
    ServiceArea,
    State,
    current_links,
    overdue_q,
)

# How the report names what was solved (001: 融资难、升级难、用工难).
PROBLEM_WORDS = {Category.FINANCE: "融资难", Category.LABOUR: "用工难",
                 Category.UPGRADE: "升级难", Category.POLICY: "政策落实难",
                 Category.OTHER: "其他"}
NO_AREA = "未划片区"


def _figures(cases, today):
    counts = cases.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
        overdue=Count("id", filter=overdue_q(today)),
        resolved=Count("id", filter=Q(state=State.RESOLVED)),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        rated=Count("id", filter=~Q(satisfaction="")),
        pleased=Count("id", filter=Q(satisfaction__in=[Satisfaction.SATISFIED,
                                                       Satisfaction.FAIR])),
        helped=Count("company", filter=Q(state=State.RESOLVED), distinct=True),
    )
    counts["satisfaction_rate"] = percent(counts["pleased"], counts["rated"])
    return counts


def phrase(helped, resolved_by_category):
    """"为N家企业解决融资难、用工难、升级难等问题", naming the categories most solved."""
    if not helped:
        return "尚无已解决的企业诉求。"
    ranked = [c for c, n in sorted(resolved_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
              if n and c != Category.OTHER]
    words = "、".join(PROBLEM_WORDS[Category(c)] for c in ranked[:3])
    return f"为{helped}家企业解决{words}等问题" if words else f"为{helped}家企业解决了诉求"


def build(user, today=None):
    """The summary page's figures for `user` (street: the street; community: its companies)."""
    today = today or timezone.localdate()
    cases = restrict(user, "summarize", Case)
    links = restrict(user, "view", CadreLink).filter(current_links(today))
    figures = _figures(cases, today)

    grid = {(row["category"], row["state"]): row["n"]
            for row in cases.values("category", "state").annotate(n=Count("id"))}
    categories = [{"value": c.value, "label": c.label,
                   "states": [grid.get((c.value, s.value), 0) for s in State],
                   "total": sum(grid.get((c.value, s.value), 0) for s in State)}
                  for c in Category]
    resolved_by_category = {c.value: grid.get((c.value, State.RESOLVED.value), 0)
                            for c in Category}
    figures["phrase"] = phrase(figures["helped"], resolved_by_category)
    figures["companies_linked"] = links.values("company").distinct().count()
    figures["cadres_linking"] = links.values("cadre").distinct().count()

    # Per area: links by the cadres' area, cases by the company's community.
    areas = list(restrict(user, "view", ServiceArea).select_related("leader__person")
                 .prefetch_related("communities"))
    # A company counts in the area of its community, wherever below it its organisation is.
    area_of_path = {org.path: area.pk for area in areas for org in area.communities.all()}
    per_area = {area.pk: {"area": area, "companies": 0, "cadres": 0, "cases": 0, "open": 0,
                          "overdue": 0, "resolved": 0, "helped": set(), "rated": 0,
                          "pleased": 0} for area in areas}
    per_area[None] = {"area": None, "companies": 0, "cadres": 0, "cases": 0, "open": 0,
                      "overdue": 0, "resolved": 0, "helped": set(), "rated": 0, "pleased": 0}
    for row in links.values("cadre__area").annotate(
            companies=Count("company", distinct=True), cadres=Count("cadre", distinct=True)):
        bucket = per_area.get(row["cadre__area"], per_area[None])
        bucket["companies"] += row["companies"]
        bucket["cadres"] += row["cadres"]
    for row in cases.values("company__org__path", "company", "state", "satisfaction").annotate(
            n=Count("id"), overdue=Count("id", filter=overdue_q(today))):
        path = row["company__org__path"]
        area = next((area_of_path[p] for p in ancestor_paths(path) if p in area_of_path), None)
        bucket = per_area[area]
        bucket["cases"] += row["n"]
        bucket["overdue"] += row["overdue"]
        if row["state"] in OPEN_STATES:
            bucket["open"] += row["n"]
        if row["state"] == State.RESOLVED:
            bucket["resolved"] += row["n"]
            bucket["helped"].add(row["company"])
        if row["satisfaction"]:
            bucket["rated"] += row["n"]
            if row["satisfaction"] != Satisfaction.UNSATISFIED:
                bucket["pleased"] += row["n"]
    rows = []
    for key, bucket in per_area.items():
        if key is None and not (bucket["cases"] or bucket["companies"]):
            continue
        bucket["helped"] = len(bucket["helped"])
        bucket["satisfaction_rate"] = percent(bucket["pleased"], bucket["rated"])
        bucket["name"] = bucket["area"].name if bucket["area"] else NO_AREA
        rows.append(bucket)

    charts = {
        "categories": {"type": "bar", "labels": [c["label"] for c in categories],
                       "values": [c["total"] for c in categories], "unit": "件"},
        "states": {"type": "pie", "labels": [s.label for s in State],
                   "values": [sum(grid.get((c.value, s.value), 0) for c in Category)
                              for s in State], "unit": "件"},
        "areas": {"type": "hbar", "labels": [r["name"] for r in rows],
                  "values": [r["helped"] for r in rows], "unit": "家"},
    }
    return {"figures": figures, "categories": categories, "states": list(State),
            "areas": rows, "charts": charts, "today": today}
