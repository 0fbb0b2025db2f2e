"""The menu shows only what exists and what the user may open."""

from django.urls import reverse

from .access import can

_MENU = []


def register(label, url_name, model, action="view", icon="", order=100):
    _MENU.append({"label": label, "url_name": url_name, "model": model, "action": action,
                  "icon": icon, "order": order})


def menu_for(user):
    items = []
    for entry in sorted(_MENU, key=lambda e: e["order"]):
        if can(user, entry["action"], entry["model"]):
            items.append({"label": entry["label"], "url": reverse(entry["url_name"]),
                          "url_name": entry["url_name"], "icon": entry["icon"]})
    return items
