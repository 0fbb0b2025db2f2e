"""The menu shows only what exists and what the user may open.

Entries with a `group` fold into one drop-down of that name (placed where its first visible
entry would be), so the bar stays one line however many capabilities there are.
"""

from django.urls import reverse

from .access import can

_MENU = []


def register(label, url_name, model, action="view", icon="", order=100, group=""):
    _MENU.append({"label": label, "url_name": url_name, "model": model, "action": action,
                  "icon": icon, "order": order, "group": group})


def menu_for(user):
    items, groups = [], {}
    for entry in sorted(_MENU, key=lambda e: e["order"]):
        if not can(user, entry["action"], entry["model"]):
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
