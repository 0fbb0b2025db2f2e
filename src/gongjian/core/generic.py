"""Generic page views: every queryset goes through restrict(), out of scope answers 404."""

import copy

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseModelForm
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .access import can, restrict
from .services import DomainError, OutOfScope


class ScopedView(LoginRequiredMixin, View):
    """A page about one model. `action` is the right it needs; without it anywhere: 403."""

    model = None
    action = "view"
    lookup_field = "code"
    template_name = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.action, self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action=None):
        return restrict(self.request.user, action or self.action, self.model)

    def get_object(self, action=None, queryset=None):
        qs = queryset if queryset is not None else self.scoped(action)
        return get_object_or_404(qs, **{self.lookup_field: self.kwargs[self.lookup_field]})

    def can(self, action, model=None):
        return can(self.request.user, action, model or self.model)

    def render(self, context, status=200):
        return render(self.request, self.template_name, context, status=status)


def paginate(request, queryset, per_page=50):
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def run_service(request, form, call, success_message=None):
    """Call a service: (True, result), or (False, None) with the refusal added to the form.
    Out of scope becomes a 404, like any object the user cannot reach."""
    try:
        result = call()
    except OutOfScope as error:
        raise Http404(error.message) from error
    except DomainError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return False, None
    if success_message:
        messages.success(request, success_message)
    return True, result


def run_action(request, call, success_message):
    """Call a service behind a button (no form): a refusal becomes an error message."""
    try:
        call()
    except OutOfScope as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success_message)
    return True


class WorkflowStepView(ScopedView):
    """The one page view for a workflow's steps: `POST <prefix>/<pk>/<step>/`.

    The step comes from the URL and must be in `workflow` (else 404); the user needs the
    step's access action somewhere (else 403) and on the object (else 404). Steps listed in
    `forms` show their form on GET and re-show it with the refusal on a bad POST; the others
    are buttons whose refusal comes back as a message. The service is
    `services.<step>(obj, user=..., **params)`; `params` reads the step's declared fields
    (a view overrides `params_<step>(request)` to turn a posted value into an object).
    A form page re-shown after a refusal answers 400; with `answer_refusal_status` it
    answers the refusal's own status (409 for a step the object's state refuses, 400 for bad
    data), like the API.
    `form_kwargs(obj)` adds keyword arguments to a step's form; with `forms_guarded` a
    step's form page answers 404 to a user the step's guard refuses (only its owner has
    anything to fill in there).
    """

    workflow = None
    services = None
    lookup_field = "pk"
    forms: dict = {}
    forms_guarded = False
    answer_refusal_status = False
    template_name = None

    def dispatch(self, request, *args, **kwargs):
        step = self.workflow.by_name.get(kwargs.get("step", ""))
        if step is None or step.action is None:
            raise Http404("没有这一步。")
        self.step = step
        self.action = step.action
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.scoped()

    def get_object(self, action=None, queryset=None):
        return super().get_object(action, queryset if queryset is not None
                                  else self.get_queryset())

    def params(self, request, form=None):
        custom = getattr(self, f"params_{self.step.name}", None)
        if custom is not None:
            return custom(request)
        if form is not None:
            return dict(form.cleaned_data)
        values = {}
        for name in self.step.fields:
            values[name] = request.FILES.get(name) if name in request.FILES \
                else request.POST.get(name, "")
        return values

    def take(self, obj, params):
        return getattr(self.services, self.step.name)(obj, user=self.request.user, **params)

    def success_url(self, obj):
        return obj.get_absolute_url()

    def after(self, obj):
        """Where to go once the step is taken: back to the object while the user still
        reads it, else to `gone_url`."""
        target = self.request.POST.get("next", "")
        if target.startswith("/") and "//" not in target and url_has_allowed_host_and_scheme(
                target, allowed_hosts={self.request.get_host()}):
            return redirect(target)
        if restrict(self.request.user, "view", self.model).filter(pk=obj.pk).exists():
            return redirect(self.success_url(obj))
        return redirect(self.gone_url)

    gone_url = "home"

    def form_context(self, obj, form):
        return {"object": obj, "step": self.step, "form": form}

    def form_kwargs(self, obj):
        return {}

    def form_object(self):
        """The object of a form step; 404 where `forms_guarded` and the guard refuses."""
        obj = self.get_object()
        if self.forms_guarded and self.step.guard is not None:
            refusal = self.step.guard(self.request.user, obj)
            if refusal:
                raise Http404(refusal)
        return obj

    def get(self, request, **kwargs):
        form_class = self.forms.get(self.step.name)
        if form_class is None:
            return HttpResponseNotAllowed(["POST"])
        obj = self.form_object()
        return self.render(self.form_context(obj, form_class(**self.form_kwargs(obj))))

    def post(self, request, **kwargs):
        form_class = self.forms.get(self.step.name)
        obj = self.get_object() if form_class is None else self.form_object()
        done = self.step.done or f"已{self.step.label}。"
        if form_class is None:
            run_action(request, lambda: self.take(obj, self.params(request)), done)
            return self.after(obj)
        form = form_class(request.POST, request.FILES, **self.form_kwargs(obj))
        refused = {"status": 400}  # invalid data, unless the service refuses the step itself

        def take():
            try:
                return self.take(obj, self.params(request, form))
            except DomainError as error:
                if self.answer_refusal_status:
                    refused["status"] = error.status  # 409: not in this state
                raise

        if form.is_valid():
            ok, _ = run_service(request, form, take, done)
            if ok:
                return self.after(obj)
        return self.render(self.form_context(obj, form), status=refused["status"])


# ---- generic object views (configured by attributes) ---------------------------------------

class ObjectPages:
    """Where the object views send the user: `detail_url` names the URL of an object's page,
    reversed with the object's `lookup_field` (without it, `obj.get_absolute_url()`);
    `list_url` names the list's URL."""

    detail_url = None
    list_url = None

    def object_url(self, obj):
        if self.detail_url:
            return reverse(self.detail_url, args=[getattr(obj, self.lookup_field)])
        return obj.get_absolute_url()


class ObjectListView(ScopedView):
    """A list: rows through restrict(), narrowed by `filterset_class` (the same FilterSet the
    API and the export use, so the page and the API answer the same rows for the same query
    parameters), paginated. `annotate_rows(rows)` adds what the page shows once the rows are
    chosen. A query the FilterSet refuses lists nothing; its messages are in
    `filter.errors`. Context: `page`, `query` (the filters, for the pager), `filter` (the
    FilterSet; its form holds the values), `can_add`, and `extra_context()`."""

    filterset_class = None
    per_page = 50
    ordering: tuple[str, ...] = ()

    def get_queryset(self):
        rows = self.scoped()
        return rows.order_by(*self.ordering) if self.ordering else rows

    filter = None  # the bound FilterSet, once `filtered` ran (for extra_context)

    def filtered(self, request):
        rows = self.get_queryset()
        if self.filterset_class is None:
            return rows, None
        self.filter = self.filterset_class(request.GET, queryset=rows, request=request)
        return (self.filter.qs if self.filter.is_valid() else rows.none()), self.filter

    def annotate_rows(self, rows):
        return rows

    def extra_context(self):
        return {}

    def list_context(self):
        rows, filterset = self.filtered(self.request)
        page, query = paginate(self.request, self.annotate_rows(rows), self.per_page)
        return {"page": page, "query": query, "filter": filterset, "can_add": self.can("add"),
                **self.extra_context()}

    def get(self, request, **kwargs):
        return self.render(self.list_context())


class ObjectDetailView(ObjectPages, ScopedView):
    """One object's page. Context: `object` (also as `context_object_name`), `allowed`
    (which of `object_actions` the user may take on this very object, for its buttons),
    and `extra_context()`."""

    context_object_name = None
    object_actions: tuple[str, ...] = ("change", "delete")
    object = None

    def allowed(self, obj):
        return {action: self.scoped(action).filter(pk=obj.pk).exists()
                for action in self.object_actions}

    def extra_context(self):
        return {}

    def context(self, obj):
        context = {"object": obj, "allowed": self.allowed(obj)}
        if self.context_object_name:
            context[self.context_object_name] = obj
        return {**context, **self.extra_context()}

    def get(self, request, **kwargs):
        self.object = self.get_object()
        return self.render(self.context(self.object))


class ObjectEditView(ObjectPages, ScopedView):
    """Create (`lookup_field` absent from the URL) or change one object through a service.

    The user needs `add_action` (creating) or `change_action` (editing; or "move", "merge",
    "delete" for a step taken with a form) somewhere (else 403) and on the object (else
    404). `form_class` checks the input: a model form gets `instance=`, a copy, so the page
    and the service still see the stored values; the form gets `user=` unless
    `form_takes_user` is False (a ScopedChoices form needs it); `form_kwargs(obj)` adds more.
    `save(form, obj)` calls the service, which validates, writes, re-checks scope and
    returns the object to go to (`success_url`); a refusal comes back beside its field.
    `saved_message` is formatted with `obj` (the object edited, else the one saved),
    `saved` and the form's cleaned values. Context: `form`, `object`, `title`, `submit`,
    `cancel`, `danger`, `confirm`, and `extra_context()`.
    """

    form_class = None
    form_takes_user = True
    template_name = "core/object_form.html"
    add_action = "add"
    change_action = "change"
    title_add = ""
    title_change = ""
    submit_label = "保存"
    danger = False  # a red button: the step is hard to undo
    confirm_message = ""  # asked in a dialog before the form is sent
    saved_message = "已保存。"
    # Fields a new object's form takes from the query string ("add here" links: ?org=CODE).
    initial_from_query: tuple[str, ...] = ()
    object = None

    @property
    def editing(self):
        return self.lookup_field in self.kwargs

    def dispatch(self, request, *args, **kwargs):
        self.action = self.change_action if self.lookup_field in kwargs else self.add_action
        return super().dispatch(request, *args, **kwargs)

    def form_kwargs(self, obj):
        return {}

    def make_form(self, obj, data=None, files=None):
        options = self.form_kwargs(obj)
        if self.form_takes_user:
            options["user"] = self.request.user
        if obj is not None and issubclass(self.form_class, BaseModelForm):
            options["instance"] = copy.copy(obj)
        initial = self.initial(obj)
        if initial:  # else the form keeps its own initial values
            options["initial"] = initial
        return self.form_class(data, files, **options)

    def initial(self, obj):
        if obj is not None:
            return {}
        return {name: self.request.GET[name] for name in self.initial_from_query
                if self.request.GET.get(name)}

    def save(self, form, obj):
        raise NotImplementedError

    def success_url(self, obj):
        return self.object_url(obj)

    def cancel_url(self, obj):
        if obj is not None:
            return self.object_url(obj)
        return reverse(self.list_url) if self.list_url else ""

    def title(self, obj):
        return self.title_change.format(obj=obj) if obj is not None else self.title_add

    def success_message(self, form, obj, saved):
        values = {**form.cleaned_data, "obj": obj if obj is not None else saved, "saved": saved}
        return self.saved_message.format(**values)

    def extra_context(self):
        return {}

    def page(self, form, obj, status=200):
        return self.render({"form": form, "object": obj, "title": self.title(obj),
                            "submit": self.submit_label, "cancel": self.cancel_url(obj),
                            "danger": self.danger, "confirm": self.confirm_message,
                            **self.extra_context()}, status=status)

    def get(self, request, **kwargs):
        obj = self.object = self.get_object() if self.editing else None
        return self.page(self.make_form(obj), obj)

    def post(self, request, **kwargs):
        obj = self.object = self.get_object() if self.editing else None
        form = self.make_form(obj, request.POST, request.FILES)
        if form.is_valid():
            ok, saved = run_service(request, form, lambda: self.save(form, obj))
            if ok:
                messages.success(request, self.success_message(form, obj, saved))
                return redirect(self.success_url(saved))
        return self.page(form, obj, status=400)


class ObjectDeleteView(ObjectPages, ScopedView):
    """POST: delete (or dissolve) one object through `delete(obj)`, a service call, then go
    to `after_url(obj)` (by default `list_url`); a refusal comes back as a message on the
    object's page. `deleted_message` is formatted with `obj`."""

    action = "delete"
    http_method_names = ["post"]
    deleted_message = "已删除。"
    list_url = "home"

    def delete(self, obj):
        raise NotImplementedError

    def after_url(self, obj):
        return self.list_url

    def post(self, request, **kwargs):
        obj = self.get_object()
        if run_action(request, lambda: self.delete(obj), self.deleted_message.format(obj=obj)):
            return redirect(self.after_url(obj))
        return redirect(self.object_url(obj))
