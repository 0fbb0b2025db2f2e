"""Generic page views: every queryset goes through restrict(), out of scope answers 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
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
