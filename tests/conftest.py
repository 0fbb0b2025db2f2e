"""Shared fixtures: a small street built through the services, an account per role, and the
whole demo built once and shared by the tests that read it."""

import contextlib
import datetime
import itertools
import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares the thread
# Tests sign in with a password alone; tests of the second factor (core/otp.py) turn it on with
# override_settings(GONGJIAN_OTP_ENFORCE=True).
os.environ.setdefault("GONGJIAN_OTP_ENFORCE", "0")

PASSWORD = "Test@2026pw"
# Real deployments hash with PBKDF2; tests create many accounts and only need correctness.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def empty_cache():
    # The per-process cache counts failed logins per address (core/auth.py): one test's
    # failures must not lock the next test's logins out.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def var_in_a_temporary_folder(tmp_path_factory):
    # The key file (core/crypto.py) and what commands write under var/ go to a folder of this
    # run's (of this xdist worker's): workers creating one key file at once would race.
    from django.test import override_settings

    from gongjian.core import crypto

    with override_settings(VAR_DIR=tmp_path_factory.mktemp("var")):
        saved, crypto._keyring = crypto._keyring, None
        yield
        crypto._keyring = saved


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, media_root):
    # Photos uploaded by tests (and the demo's) stay out of the working copy's var/media.
    settings.MEDIA_ROOT = media_root


# ---- the shared demo -------------------------------------------------------------------------
# Building the four demo streets takes half a minute, so it is built once and kept in a
# transaction that stays open while the tests asking for `demo` run; each of them runs in its
# own savepoint inside it (pytest-django's `db`), so what one test writes is rolled back before
# the next. The outer transaction is rolled back as soon as the next test does not ask for
# `demo`, so no other test ever sees the demo. The demo's tests are moved to the front of the
# run: pytest-xdist's load distribution hands the first worker a first chunk of a quarter of its
# share, so they run there one after the other and the demo is built once.


class _SharedDemo:
    def __init__(self, blocker, media_root):
        self.blocker, self.media_root = blocker, media_root
        self.accounts = None
        self._open = None

    def open(self):
        from django.db import transaction
        from django.test import override_settings

        from gongjian.demo.build import build_demo

        if self._open is not None:
            return
        with self.blocker.unblock(), contextlib.ExitStack() as stack:
            stack.enter_context(override_settings(MEDIA_ROOT=self.media_root,
                                                  PASSWORD_HASHERS=FAST_HASHERS))
            stack.enter_context(transaction.atomic())
            self.accounts = build_demo()
            self._open = stack.pop_all()  # kept open; a failed build is rolled back here

    def close(self):
        from django.db import transaction

        if self._open is None:
            return
        stack, self._open, self.accounts = self._open, None, None
        with self.blocker.unblock():
            transaction.set_rollback(True)
            stack.close()


_shared_demo: _SharedDemo | None = None


def _uses_demo(item):
    return item is not None and "_demo_database" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker, media_root):
    # Session scope sets it up before any test's own `db` transaction, which must nest inside.
    global _shared_demo
    shared = _SharedDemo(django_db_blocker, media_root)
    shared.open()
    _shared_demo = shared
    yield shared
    _shared_demo = None
    shared.close()


@pytest.fixture
def demo(_demo_database, request, db):
    """The whole demo (gongjian.demo.build_demo): its accounts, as build_demo returns them.
    Read it or change it: a test's changes are rolled back after it. Not for transactional
    tests (browser, live server), which would see or empty the open transaction."""
    marker = request.node.get_closest_marker("django_db")
    if ({"transactional_db", "live_server"} & set(request.fixturenames)
            or (marker is not None and marker.kwargs.get("transaction"))):
        pytest.fail("the shared demo lives in a transaction; transactional tests cannot use it",
                    pytrace=False)
    return _demo_database.accounts


def pytest_collection_modifyitems(items):
    # The demo's tests first and together, so the demo is built once. They are plain database
    # tests, which pytest-django's own ordering puts before the transactional ones anyway.
    items[:] = ([item for item in items if _uses_demo(item)]
                + [item for item in items if not _uses_demo(item)])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Only when a demo test runs after the shared demo was rolled back (tests picked in another
    # order): build it again before this test's fixtures open their transaction inside it.
    if _shared_demo is not None and _uses_demo(item):
        _shared_demo.open()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _shared_demo is not None and not _uses_demo(nextitem):
        _shared_demo.close()


@pytest.fixture
def make_user(db):
    from gongjian.core.models import RoleGrant, User

    def make(role, org=None, unit=None, username=None):
        username = username or f"{role}{next(_serial)}"
        user = User.objects.create_user(username, password=PASSWORD, display_name=username)
        RoleGrant.objects.create(user=user, role=role, org=org, unit=unit)
        return user

    return make


@pytest.fixture
def tree(db):
    """街道 S → 社区 A (党委) → 支部 A1 → 党小组 A1G; 社区 B (党委) → 支部 B1.
    Grid GA under A1 with one building; unit UA located in A with its own branch A2."""
    from gongjian.core import audit
    from gongjian.orgs import services
    from gongjian.orgs.models import Building, Grid, Unit

    def org(parent, code, name, kind, sector="community"):
        return services.create_organization(user=None, parent=parent, code=code, name=name,
                                            kind=kind, sector=sector)

    with audit.acting_as(suppress=True):
        services.ensure_default_grid_roles()
        s = org(None, "JS", "金山街道党工委", "working_committee", "street")
        a = org(s, "JS-A", "金安社区党委", "committee")
        a1 = org(a, "JS-A1", "达嘉馨园小区党支部", "branch", "residential")
        a1g = org(a1, "JS-A1G", "一号楼党小组", "group", "building")
        a2 = org(a, "JS-A2", "鼎峰集团党支部", "branch", "non_public_enterprise")
        b = org(s, "JS-B", "高林社区党委", "committee")
        b1 = org(b, "JS-B1", "金林湾花园小区党支部", "branch", "residential")
        grid_a = Grid.objects.create(code="G-A", name="金安第一网格", org=a1)
        building = Building.objects.create(grid=grid_a, name="1号楼", households=48)
        grid_b = Grid.objects.create(code="G-B", name="高林第一网格", org=b1)
        unit_a = Unit.objects.create(code="U-A", name="鼎峰集团", unit_type="private_company",
                                     org=a, party_org=a2)
        unit_b = Unit.objects.create(code="U-B", name="金山小学", unit_type="school", org=b)
        person_a, membership_a = _member(a1, "张华娟", "女", "11010519491231002X",
                                         "13800138000", "大学本科", "1975-07-01")
        person_b, membership_b = _member(b1, "林急", "男", "440524188001010014", "",
                                         "高中", "1920-05-04")
    return SimpleNamespace(s=s, a=a, a1=a1, a1g=a1g, a2=a2, b=b, b1=b1, grid_a=grid_a,
                           grid_b=grid_b, building=building, unit_a=unit_a, unit_b=unit_b,
                           person_a=person_a, membership_a=membership_a,
                           person_b=person_b, membership_b=membership_b)


def _member(org, name, sex, id_number, phone, education, joined_on):
    """A person and their active membership, with RULES.md's valid ID numbers."""
    import datetime

    from gongjian.members import idnumber
    from gongjian.members.models import Membership, Person

    birth, _sex = idnumber.parse(id_number)
    person = Person.objects.create(name=name, sex=sex, birth_date=birth, id_number=id_number,
                                   phone=phone, education=education, org=org)
    joined = datetime.date.fromisoformat(joined_on)
    membership = Membership.objects.create(person=person, org=org, category="正式党员",
                                           joined_on=joined,
                                           confirmed_on=joined.replace(year=joined.year + 1))
    return person, membership


@pytest.fixture
def fresh():
    """Re-read a model instance from the database."""

    def reload(obj):
        return type(obj)._default_manager.get(pk=obj.pk)

    return reload


@pytest.fixture
def users(tree, make_user):
    """One account for every role: `inside` ones at A (or its unit/branch), platform ones."""
    return SimpleNamespace(
        street=make_user("street_staff", tree.s, username="street"),
        community_a=make_user("community_staff", tree.a, username="comm_a"),
        community_b=make_user("community_staff", tree.b, username="comm_b"),
        grid_a=make_user("grid_staff", tree.a1, username="grid_a"),
        liaison_a=make_user("unit_liaison", unit=tree.unit_a, username="liaison_a"),
        member=make_user("member", tree.a1, username="member_a"),
        resident=make_user("resident", tree.a, username="resident_a"),
        sysadmin=make_user("sys_admin", username="sysadmin"),
        secadmin=make_user("sec_admin", username="secadmin"),
        auditadmin=make_user("audit_admin", username="auditadmin"),
    )


@pytest.fixture
def twins(tree, make_user):
    """A second street (street org, one community, one branch, a grid, a unit, a member and a
    resident, made like `tree`'s), and an out-of-scope twin of every `users` role. Apart from
    `users` because other tests count the accounts, grants and organisations those two make."""
    from gongjian.core import audit
    from gongjian.members.models import Person
    from gongjian.orgs import services
    from gongjian.orgs.models import Grid, Unit

    def org(parent, code, name, kind, sector="community"):
        return services.create_organization(user=None, parent=parent, code=code, name=name,
                                            kind=kind, sector=sector)

    with audit.acting_as(suppress=True):
        s2 = org(None, "HZ", "会展街道党工委", "working_committee", "street")
        c2 = org(s2, "HZ-A", "博兰社区党委", "committee")
        c2_1 = org(c2, "HZ-A1", "博兰花园小区党支部", "branch", "residential")
        grid2 = Grid.objects.create(code="G-HA", name="博兰第一网格", org=c2_1)
        unit2 = Unit.objects.create(code="U-HA", name="长春博文物业", unit_type="private_company",
                                    org=c2)
        person2, membership2 = _member(c2_1, "赵立新", "男", "220104198503120038",
                                       "13900139000", "大专", "2010-07-01")
        resident2 = Person.objects.create(name="钱秀英", sex="女",
                                          birth_date=datetime.date(1992, 7, 8), org=c2)
    return SimpleNamespace(
        s2=s2, c2=c2, c2_1=c2_1, grid2=grid2, unit2=unit2, person2=person2,
        membership2=membership2, resident2=resident2,
        # The twins: each holds its counterpart's role somewhere else.
        street_b=make_user("street_staff", s2, username="street_b"),
        grid_b=make_user("grid_staff", tree.b1, username="grid_b"),      # tree.grid_b's branch
        # U-B of the first street (in community B): a unit next door, not another street's.
        liaison_b=make_user("unit_liaison", unit=tree.unit_b, username="liaison_b"),
        member_b=make_user("member", tree.b1, username="member_b"),
        resident_b=make_user("resident", tree.b, username="resident_b"),
        # A branch committee inside community A (JS-A1) and its twin at JS-B1.
        branch_a=make_user("branch_committee", tree.a1, username="branch_a"),
        branch_b=make_user("branch_committee", tree.b1, username="branch_b"),
    )
