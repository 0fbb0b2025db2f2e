"""A capability registers itself: its AppConfig declares what it adds to the platform.

Adding an app touches INSTALLED_APPS and its own folder. Its `AppConfig` subclasses
`Capability` and sets what it has:

* by convention, its `urls` module (pages, mounted at the root), its `api_urls` module (under
  /api/v1/) and its `demo` module (`build(builder)`, adding the capability's part of the demo
  streets, run in `demo_order`) — each when the app has it;
* `board_sections` — (module with `public_board(org)`, section template) pairs for the public
  boards, in page order by `board_order`;
* `mine_sections` — (module with `my_section(user)`, section template) pairs for the 我的 page
  of members and residents, in `mine_order`; `my_section` returns the section's context, or
  None when it has nothing for this account;

and does its registrations in `ready()` as before: role rights (`access.extend_role_permissions`,
`access.register_role`), menu entries (`navigation.register`), reminder sweeps (importing its
`reminders` module), dissolve blockers and merge labels (`orgs.services`).
"""

from __future__ import annotations

import importlib.util

from django.apps import AppConfig, apps


class Capability(AppConfig):
    """The AppConfig of a capability (apps.py imports this module, not the class, so that
    Django still picks the app's own config as its default)."""

    board_sections: tuple[tuple[str, str], ...] = ()
    board_order: int = 100
    mine_sections: tuple[tuple[str, str], ...] = ()
    mine_order: int = 100
    demo_order: int = 100

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        found = {"urls", "api_urls", "demo"} & set(vars(cls))
        if found:
            raise TypeError(f"{cls.__name__}: {', '.join(sorted(found))} are found by module "
                            "name (<app>.urls, <app>.api_urls, <app>.demo); do not declare them")

    def _own(self, module: str) -> str | None:
        name = f"{self.name}.{module}"
        return name if importlib.util.find_spec(name) is not None else None

    @property
    def urls(self) -> str | None:
        return self._own("urls")

    @property
    def api_urls(self) -> str | None:
        return self._own("api_urls")

    @property
    def demo(self) -> str | None:
        return self._own("demo")


def capabilities() -> list[Capability]:
    """The installed capabilities, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, Capability)]


def page_url_modules() -> list[str]:
    return [c.urls for c in capabilities() if c.urls]


def api_url_modules() -> list[str]:
    return [c.api_urls for c in capabilities() if c.api_urls]


def board_sections() -> list[tuple[str, str]]:
    ordered = sorted((c for c in capabilities() if c.board_sections), key=lambda c: c.board_order)
    return [section for c in ordered for section in c.board_sections]


def mine_sections() -> list[tuple[str, str]]:
    ordered = sorted((c for c in capabilities() if c.mine_sections), key=lambda c: c.mine_order)
    return [section for c in ordered for section in c.mine_sections]


def demo_modules() -> list[str]:
    ordered = sorted((c for c in capabilities() if c.demo), key=lambda c: c.demo_order)
    return [c.demo for c in ordered if c.demo]
