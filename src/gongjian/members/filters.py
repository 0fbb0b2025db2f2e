"""The roster's filters for code that holds a user and parameters rather than a request:
the rows of members.filtersets.RosterFilterSet, the one FilterSet of the list page, the API
and the export."""

from gongjian.core.access import restrict
from gongjian.core.filtersets import filter_errors
from gongjian.core.services import DomainError

from .filtersets import RosterFilterSet
from .models import Membership


def roster_rows(user, action="view"):
    """Every membership the user may `action`, with what a roster row shows."""
    return restrict(user, action, Membership).select_related("person", "org")


def roster(user, params, action="view"):
    """Memberships the user may see, filtered by `params` (a QueryDict or dict) as the roster
    page filters them (see RosterFilterSet). A value a filter refuses raises DomainError
    (400) with its Chinese message."""
    filterset = RosterFilterSet(params, queryset=roster_rows(user, action), user=user)
    if not filterset.is_valid():
        raise DomainError(filter_errors(filterset), field=next(iter(filterset.errors)),
                          status=400)
    return filterset.qs
