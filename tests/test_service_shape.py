"""The service layer's shape, checked over every capability: each public service function is
typed (mypy checks the types in `make test`) and takes the acting user keyword-only, and each
workflow step is a service taking the object and the acting user keyword-only, so that a call
reads `claim(wish, user=...)` and the generic step views can drive every workflow."""

import importlib
import inspect

import pytest
from django.apps import apps

from gongjian.core.capabilities import capabilities


def _service_modules():
    for config in capabilities():
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError:
            continue
        yield config.label, module


def _public_functions(module):
    for name, fn in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
            continue
        yield name, fn


SERVICE_MODULES = list(_service_modules()) if apps.ready else []
# The core's other service modules: accounts and grants, notifications.
CORE_SERVICES = ["gongjian.core.accounts", "gongjian.core.notifications"]
ALL_SERVICE_MODULES = SERVICE_MODULES + [
    (name.rsplit(".", 1)[1], importlib.import_module(name)) for name in CORE_SERVICES
] if apps.ready else []
# The funnel every service writes through takes the user first, as `restrict` does: it is
# the access check itself, not a step on an object.
FUNNEL = {"gongjian.core.services": {"require_scope", "save_checked", "delete_checked"}}


@pytest.mark.parametrize("label,module", ALL_SERVICE_MODULES,
                         ids=[m[0] for m in ALL_SERVICE_MODULES])
def test_every_public_service_function_is_typed(label, module):
    untyped = []
    for name, fn in _public_functions(module):
        signature = inspect.signature(fn)
        missing = [p.name for p in signature.parameters.values()
                   if p.annotation is inspect.Parameter.empty and p.name != "user"]
        if missing or signature.return_annotation is inspect.Signature.empty:
            untyped.append(f"{name}({', '.join(missing)})")
    assert not untyped, f"{module.__name__}: untyped public functions: {untyped}"


@pytest.mark.parametrize("label,module", ALL_SERVICE_MODULES,
                         ids=[m[0] for m in ALL_SERVICE_MODULES])
def test_every_public_service_function_takes_the_acting_user_keyword_only(label, module):
    """`approve(project, user=...)`, `create_alliance(user=..., org=..., ...)`,
    `is_claimer(wish, user=...)`: the object first, if any, and the user by name."""
    funnel = FUNNEL.get(module.__name__, set())
    wrong = []
    for name, fn in _public_functions(module):
        user = inspect.signature(fn).parameters.get("user")
        if name in funnel:
            assert user is not None and next(iter(inspect.signature(fn).parameters)) == "user"
        elif user is not None and user.kind is not inspect.Parameter.KEYWORD_ONLY:
            wrong.append(f"{name}{inspect.signature(fn)}")
    assert not wrong, f"{module.__name__}: the user is not keyword-only in {wrong}"


def _workflows():
    from gongjian.core.workflow import Workflow

    for label, module in SERVICE_MODULES:
        names = [module.__name__]
        try:
            names.append(importlib.import_module(module.__name__.replace(
                ".services", ".workflows")).__name__)
        except ModuleNotFoundError:
            pass
        for name in names:
            for attr, value in vars(importlib.import_module(name)).items():
                if isinstance(value, Workflow):
                    yield f"{label}.{attr}", module, value


WORKFLOWS = list(_workflows()) if apps.ready else []


@pytest.mark.parametrize("name,module,flow", WORKFLOWS, ids=[w[0] for w in WORKFLOWS])
def test_each_step_is_a_service_taking_the_object_and_the_user_by_keyword(name, module, flow):
    """What the one page step view and the one API step action call:
    `services.<step>(obj, user=..., **params)`."""
    wrong = []
    # A module holding two tables with shared step names maps one of them through a
    # namespace named after it (DEMAND_WORKFLOW → DEMAND_STEPS).
    table = name.split(".", 1)[1]
    steps_of = getattr(module, table.replace("WORKFLOW", "STEPS"), module) \
        if table.endswith("WORKFLOW") else module
    for step in flow:
        if step.action is None:
            continue  # taken by the system inside other services
        fn = getattr(steps_of, step.name, None)
        if fn is None:
            wrong.append(f"{step.name}: no service")
            continue
        params = list(inspect.signature(fn).parameters.values())
        user = inspect.signature(fn).parameters.get("user")
        if user is None or user.kind is not inspect.Parameter.KEYWORD_ONLY or not params \
                or params[0].kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            wrong.append(f"{step.name}{inspect.signature(fn)}")
    assert not wrong, f"{name}: {wrong}"


def test_the_check_sees_the_capabilities():
    assert {"wishes", "projects", "alliance", "enterprise", "orgs", "members"} <= {
        label for label, _module in SERVICE_MODULES}
    assert {name.split(".")[0] for name, _m, _f in WORKFLOWS} >= {
        "wishes", "projects", "alliance", "enterprise"}
