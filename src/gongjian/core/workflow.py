"""The workflow kit: every capability's steps declared once, as a table.

A `Workflow` is a table of `Step`s over one model's state field. The same table

* refuses a step out of order with a Chinese `DomainError` (409) — `check` / `lock`;
* tells a page which buttons to show — `available_steps(user, obj)`, read from the steps'
  access actions (through `restrict`) and their guards, so a button is offered exactly when
  the service would take the step;
* says whose turn it is — `next_steps(obj)` with `owner_label(step)`, derived from the roles
  the table's action is granted to (or the step's own `owner` where a guard narrows it);
* drives the one page step view (`core.generic.WorkflowStepView`) and the one API step
  action (`core.api_views.workflow_actions`).

History is one abstract model, `HistoryEvent`, with one writer, `record_event()`, and one
partial, `core/_history.html`. A subject's history rows are reached as `subject.events`.

Why a table of our own rather than django-fsm-2: our services own every write (they lock the
row, re-check scope, write history and notify in one transaction, and some steps are
conditional UPDATEs for exactly-one claims); django-fsm binds transitions to model methods
and protects the field from exactly those writes. What we need from it — sources, target,
who may, a refusal — is this small table, which also feeds the buttons, the "next step" line
and the API routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from .access import ROLE_PERMISSIONS, restrict, role_label
from .services import DomainError, require_scope

# A guard returns None when the user may take the step on this object, else the refusal.
Guard = Callable[[Any, Any], str | None]


@dataclass(frozen=True)
class Step:
    """One transition: from any of `sources` to `target` (None keeps the state)."""

    name: str
    label: str
    sources: frozenset[str]
    target: str | None = None
    # The restrict() action the user needs on the object; None: only the system takes it.
    action: str | None = "change"
    guard: Guard | None = None
    # Who acts, as people read it; derived from the roles granted `action` when empty.
    owner: str = ""
    # Shown after the step succeeds on a page.
    done: str = ""
    # Bootstrap colour of its button; "danger" steps ask for confirmation.
    style: str = "primary"
    # Posted fields the page and the API pass to the service, in order.
    fields: tuple[str, ...] = ()

    def __init__(self, name: str, label: str, sources: Iterable[str], target: str | None = None,
                 **options: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "sources", frozenset(str(s) for s in sources))
        object.__setattr__(self, "target", None if target is None else str(target))
        for key, default in (("action", "change"), ("guard", None), ("owner", ""),
                             ("done", ""), ("style", "primary"), ("fields", ())):
            object.__setattr__(self, key, options.pop(key, default))
        if options:
            raise TypeError(f"unknown step options: {sorted(options)}")

    def __str__(self) -> str:
        return self.label


@dataclass
class Workflow:
    """The steps of one model's state field, with the refusals people read."""

    model: type[models.Model]
    steps: list[Step]
    state_field: str = "state"
    # refusal(step, obj) → the Chinese reason a step is refused in the object's state; the
    # default names the state and the step.
    refusal: Callable[[Step, Any], str] | None = None
    by_name: dict[str, Step] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {}
        for step in self.steps:
            if step.name in self.by_name:
                raise ValueError(f"step {step.name!r} declared twice")
            self.by_name[step.name] = step

    def __getitem__(self, name: str) -> Step:
        return self.by_name[name]

    def __iter__(self):
        return iter(self.steps)

    # ---- the state machine ------------------------------------------------------------------

    def state_of(self, obj: Any) -> str:
        return str(getattr(obj, self.state_field))

    def state_label(self, state: str) -> str:
        choices = dict(getattr(self.model._meta.get_field(self.state_field), "flatchoices", ()))
        return str(choices.get(state, state))

    @property
    def transitions(self) -> dict[str, tuple[frozenset[str], str | None]]:
        """step → (states it may start from, state it leads to; None keeps the state)."""
        return {step.name: (step.sources, step.target) for step in self.steps}

    def allows(self, name: str, state: str) -> bool:
        return str(state) in self[name].sources

    def refuse(self, name: str, obj: Any) -> str:
        step = self[name]
        if self.refusal is not None:
            message = self.refusal(step, obj)
            if message:
                return message
        return f"当前状态为“{self.state_label(self.state_of(obj))}”，不能{step.label}。"

    def check(self, name: str, obj: Any) -> Step:
        """The step, or a DomainError (409) saying why it cannot be taken in this state."""
        step = self[name]
        if self.state_of(obj) not in step.sources:
            raise DomainError(self.refuse(name, obj))
        return step

    def lock(self, user: Any, obj: Any, name: str, *, related: Iterable[str] = ()) -> Any:
        """Inside the caller's transaction: the user's reach for the step, then the row re-read
        under a lock and its state checked, then the step's guard. Returns the locked row."""
        step = self[name]
        if step.action is not None:
            require_scope(user, step.action, obj)
        qs = self.model._default_manager.select_for_update()
        if related:
            qs = qs.select_related(*related)
        locked = qs.get(pk=obj.pk)
        self.check(name, locked)
        self.guard(user, locked, name)
        return locked

    def guard(self, user: Any, obj: Any, name: str) -> None:
        step = self[name]
        if step.guard is not None and (message := step.guard(user, obj)):
            raise DomainError(message)

    def move(self, obj: Any, name: str) -> str:
        """Set the object's state to the step's target; returns the state it left."""
        before = self.state_of(obj)
        target = self[name].target
        if target is not None:
            setattr(obj, self.state_field, target)
        return before

    # ---- who may do what next -----------------------------------------------------------------

    def available_steps(self, user: Any, obj: Any) -> list[Step]:
        """The steps this user may take on this object now, in table order — exactly those
        the services would take (state, reach through restrict, guard)."""
        state = self.state_of(obj)
        reach: dict[str, bool] = {}
        offered = []
        for step in self.steps:
            if step.action is None or state not in step.sources:
                continue
            if step.action not in reach:
                reach[step.action] = restrict(user, step.action, self.model).filter(
                    pk=obj.pk).exists()
            if not reach[step.action]:
                continue
            if step.guard is not None and step.guard(user, obj):
                continue
            offered.append(step)
        return offered

    def available(self, user: Any, obj: Any) -> set[str]:
        return {step.name for step in self.available_steps(user, obj)}

    def next_steps(self, obj: Any) -> list[Step]:
        """The steps people (not the system) can take from the object's state."""
        state = self.state_of(obj)
        return [s for s in self.steps if s.action is not None and state in s.sources]

    def owner_label(self, step: Step | str) -> str:
        """Whose step it is: the step's own owner, else the roles granted its action."""
        step = self[step] if isinstance(step, str) else step
        if step.owner:
            return step.owner
        if step.action is None:
            return "系统"
        perm = f"{self.model._meta.app_label}.{step.action}_{self.model._meta.model_name}"
        roles = [role for role, granted in ROLE_PERMISSIONS.items() if perm in granted]
        return "、".join(role_label(r) for r in roles)

    def next_line(self, obj: Any, *, exclude: Iterable[str] = ()) -> list[tuple[Step, str]]:
        """(step, whose) for the "下一步" line of a detail page."""
        skip = set(exclude)
        return [(s, self.owner_label(s)) for s in self.next_steps(obj)
                if s.name not in skip and s.style != "danger"]


# ---- history ---------------------------------------------------------------------------------

class HistoryEvent(models.Model):
    """One line of a subject's history, as its page tells it: who did which step, when.

    A concrete history model adds the foreign key to its subject with
    `related_name="events"`, so that `record_event(subject, ...)` finds it.
    """

    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name="操作人")
    actor_name = models.CharField("操作方", max_length=100, blank=True)
    step = models.CharField("步骤", max_length=24)
    state_from = models.CharField("原状态", max_length=16, blank=True)
    state_to = models.CharField("新状态", max_length=16, blank=True)
    text = models.CharField("内容", max_length=500, blank=True)
    note = models.TextField("说明", blank=True)

    # step → label, for history rows that carry no text of their own.
    step_labels: dict[str, str] = {}

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.summary

    @property
    def step_label(self) -> str:
        return str(self.step_labels.get(self.step, self.step))

    @property
    def summary(self) -> str:
        return self.text or self.step_label


def actor_name_of(user: Any) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or getattr(user, "username", "") or str(user)


def _event_values(model: type[models.Model], step: str, user: Any, *, text: str, note: str,
                  state_from: str | None, state_to: str | None, actor_name: str | None,
                  at: Any, extra: dict[str, Any]) -> dict[str, Any]:
    field = model._meta.get_field
    note = note or ""
    # A concrete model may keep a shorter note (a CharField); the line is cut, not refused.
    note_length = getattr(field("note"), "max_length", None)
    text_length = getattr(field("text"), "max_length", None)
    return {
        "step": str(step), "actor": user,
        "actor_name": actor_name if actor_name is not None else actor_name_of(user),
        "text": (text or "")[:text_length],
        "note": note[:note_length] if note_length else note,
        "state_from": str(state_from or ""), "state_to": str(state_to or ""),
        "at": at or timezone.now(), **extra,
    }


def record_event(subject: Any, step: str, user: Any = None, *, text: str = "", note: str = "",
                 state_from: str | None = None, state_to: str | None = None,
                 actor_name: str | None = None, at: Any = None, related: str = "events",
                 **extra: Any) -> HistoryEvent:
    """Write one history line for `subject` (through its `events` relation)."""
    manager = getattr(subject, related)
    return manager.create(**_event_values(
        manager.model, step, user, text=text, note=note, state_from=state_from,
        state_to=state_to, actor_name=actor_name, at=at, extra=extra))


def build_event(subject: Any, step: str, user: Any = None, *, text: str = "", note: str = "",
                state_from: str | None = None, state_to: str | None = None,
                actor_name: str | None = None, at: Any = None, related: str = "events",
                **extra: Any) -> HistoryEvent:
    """The line `record_event` would write, unsaved: for writing a past history in bulk
    (`Model.objects.bulk_create([...])`, as the demo does)."""
    manager = getattr(subject, related)
    return manager.model(**{manager.field.name: subject}, **_event_values(
        manager.model, step, user, text=text, note=note, state_from=state_from,
        state_to=state_to, actor_name=actor_name, at=at, extra=extra))
