"""Roles as data: a capability adds a role without a migration in core; the branch committee
role reaches one branch and its groups; the declared "members read their branch's (or
street's) shared rows" rule."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gongjian.core import access
from gongjian.core.access import ROLES, can, restrict, role_choices
from gongjian.core.models import RoleGrant
from gongjian.orgs.models import Organization, OrgEvent


@pytest.fixture
def extra_role():
    """A role registered at run time, removed afterwards (the registry is process-wide)."""
    access.register_role("alliance_secretary", "联盟秘书", "org",
                         access.perms("orgs", "organization", "view"))
    yield "alliance_secretary"
    del access.ROLES["alliance_secretary"]
    del access.ROLE_LABELS["alliance_secretary"]
    access.ROLES_AT_ORG.discard("alliance_secretary")
    del access.ROLE_PERMISSIONS["alliance_secretary"]


def test_a_registered_role_is_a_grant_choice_without_a_migration(extra_role, tree, make_user):
    assert (extra_role, "联盟秘书") in role_choices()
    user = make_user(extra_role, tree.a)
    grant = user.grants.get()
    grant.full_clean()  # the stored choice is valid
    assert set(restrict(user, "view", Organization).values_list("code", flat=True)) == {
        "JS-A", "JS-A1", "JS-A1G", "JS-A2"}
    out = io.StringIO()
    call_command("makemigrations", "core", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_an_unknown_role_is_refused(db, make_user, tree):
    grant = RoleGrant(user=make_user("street_staff", tree.s), role="chairman", org=tree.s)
    with pytest.raises(ValidationError) as error:
        grant.full_clean()
    assert "role" in error.value.message_dict


def test_a_role_cannot_be_declared_twice_or_with_an_unknown_scope():
    with pytest.raises(ValueError):
        access.register_role("member", "党员", "self")
    with pytest.raises(ValueError):
        access.register_role("someone", "某人", "district")


def test_branch_committee_reaches_its_branch_and_groups_only(tree, make_user):
    assert ROLES["branch_committee"].label == "党支部书记/支部委员"
    secretary = make_user("branch_committee", tree.a1)
    assert set(restrict(secretary, "view", Organization).values_list("code", flat=True)) == {
        "JS-A1", "JS-A1G"}
    assert not restrict(secretary, "change", Organization).exists()
    assert set(restrict(secretary, "view", OrgEvent).values_list("org__code", flat=True)) <= {
        "JS-A1", "JS-A1G"}
    # Read-only over people of the branch; no organisation writes, no platform rights.
    assert can(secretary, "view", Organization) and not can(secretary, "add", Organization)


def _shared_model(level):
    """A proxy of Organization declaring the rule at `level` (named per level)."""
    meta = type("Meta", (), {"proxy": True, "app_label": "orgs"})
    attrs = {"__module__": __name__, "Meta": meta, "shared_with_members": ("path", level)}
    return type(f"Shared{level.title()}Organization", (Organization,), attrs)


@pytest.fixture(scope="module")
def shared_models():
    from django.apps import apps

    models = {level: _shared_model(level) for level in ("branch", "street")}
    yield models
    for model in models.values():
        apps.all_models["orgs"].pop(model._meta.model_name, None)
    apps.clear_cache()


def test_members_read_their_branch_or_street_rows_by_the_declared_rule(tree, users,
                                                                       shared_models):
    member = users.member  # a member at JS-A1
    perms = {f"orgs.view_{m._meta.model_name}" for m in shared_models.values()}
    access.ROLE_PERMISSIONS["member"] = access.ROLE_PERMISSIONS["member"] | perms
    try:
        for level, expected in (("branch", {"JS-A1", "JS-A1G"}),
                                ("street", {"JS", "JS-A", "JS-A1", "JS-A1G", "JS-A2",
                                            "JS-B", "JS-B1"})):
            model = shared_models[level]
            member._grants_cache = None
            seen = set(restrict(member, "view", model).values_list("code", flat=True))
            assert seen == expected, level
            # Read, never change.
            assert not restrict(member, "change", model).exists()
    finally:
        access.ROLE_PERMISSIONS["member"] = access.ROLE_PERMISSIONS["member"] - perms
