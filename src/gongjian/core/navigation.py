"""The menu shows only what exists and what the user may open.

Entries with a `group` fold into one drop-down of that name (placed where its first visible
entry would be), so the bar stays one line however many capabilities there are.

`roles` narrows an entry to the grants of those roles and `exclude_roles` leaves those roles'
grants out: with a model, a remaining grant must hold the right (a member's right to their own
record does not bring the staff roster into their menu); without a model, holding a remaining
grant is enough (a member's or resident's own page). The sets are kept as given, so a registry
set updated in place (access.SELF_ROLES) stays current.
"""

from django.urls import reverse

from .access import ROLE_PERMISSIONS, can, grants_of, permission_name

_MENU = []


def register(label, url_name, model=None, action="view", icon="", order=100, group="",
             roles=None, exclude_roles=()):
    if model is None and not roles:
        raise ValueError(f"menu entry {label!r} needs a model or roles")
    _MENU.append({"label": label, "url_name": url_name, "model": model, "action": action,
                  "icon": icon, "order": order, "group": group, "roles": roles,
                  "exclude_roles": exclude_roles})


def _visible(user, entry):
    if entry["roles"] is None and not entry["exclude_roles"]:
        return can(user, entry["action"], entry["model"])
    grants = [g for g in grants_of(user)
              if (entry["roles"] is None or g.role in entry["roles"])
              and g.role not in entry["exclude_roles"]]
    if entry["model"] is None:
        return bool(grants)
    perm = permission_name(entry["model"], entry["action"])
    return any(perm in ROLE_PERMISSIONS.get(g.role, ()) for g in grants)


def menu_for(user):
    items, groups = [], {}
    for entry in sorted(_MENU, key=lambda e: e["order"]):
        if not _visible(user, entry):
            continue
        item = {"label": entry["label"], "url": reverse(entry["url_name"]),
                "url_name": entry["url_name"], "icon": entry["icon"]}
        if not entry["group"]:
            items.append(item)
            continue
        if entry["group"] not in groups:
            groups[entry["group"]] = {"label": entry["group"], "children": [], "url_names": set()}
            items.append(groups[entry["group"]])
        groups[entry["group"]]["children"].append(item)
        groups[entry["group"]]["url_names"].add(entry["url_name"])
    # A group with a single visible entry is just that entry.
    return [i["children"][0] if "children" in i and len(i["children"]) == 1 else i
            for i in items]
