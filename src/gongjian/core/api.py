"""API plumbing shared by every app: pagination, errors in Chinese, the restricted viewset."""

import decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import audit
from .access import restrict
from .api_auth import CSRF_REFUSED, CsrfRefused
from .services import DomainError, held_by_message


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


_MESSAGES = {
    exceptions.NotAuthenticated: "请先登录或提供令牌（Authorization: Token <token>）。",
    exceptions.AuthenticationFailed: "令牌无效或账户已停用。",
    exceptions.PermissionDenied: "您没有执行该操作的权限。",
    exceptions.NotFound: "对象不存在或不在您的管理范围内。",
    exceptions.MethodNotAllowed: "不支持该请求方法。",
    exceptions.ParseError: "请求内容不是有效的 JSON。",
    exceptions.UnsupportedMediaType: "不支持该请求内容类型。",
    exceptions.Throttled: "请求过于频繁，请稍后再试。",
}


# Bad input that reaches the database or the number parser rather than a validator: a value
# beyond SQLite's 64-bit integers, a number Decimal cannot hold, JSON nested past Python's
# recursion limit. Each is the client's mistake (400), not the server's.
_BAD_INPUT = {
    OverflowError: "数值超出允许范围，请检查请求中的数字。",
    decimal.InvalidOperation: "数值无效或超出允许范围，请检查请求中的数字。",
    RecursionError: "请求内容嵌套层数过多，无法处理。",
}


def exception_handler(exc, context):
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response({"detail": held_by_message(exc)}, status=status.HTTP_409_CONFLICT)
    for cls, message in _BAD_INPUT.items():
        if isinstance(exc, cls):
            return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, CsrfRefused):
        return Response({"detail": CSRF_REFUSED}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None and not isinstance(exc, exceptions.ValidationError):
        for cls, message in _MESSAGES.items():
            if isinstance(exc, cls):
                response.data = {"detail": message}
                break
    return response


class AuditContextMixin:
    """API requests log their actor once DRF has authenticated (a token is only known then).

    The view opens a context of its own around the whole dispatch, so it is reset however the
    request ends (an answer, a refusal, an exception that becomes a 500) and a failed request
    cannot leave its actor to the next one on the thread."""

    def dispatch(self, request, *args, **kwargs):
        with audit.acting_as(None, audit.client_ip(request)):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user.is_authenticated:
            audit.set_actor(request.user)


def filtered(filterset_class, request, rows):
    """The rows a list's FilterSet keeps (the same FilterSet as its page and export); a refused
    filter answers 400 {"detail": …}."""
    from .filtersets import filter_errors

    filterset = filterset_class(request.query_params, queryset=rows, request=request)
    if not filterset.is_valid():
        raise DomainError(filter_errors(filterset), status=400)
    return filterset.qs


def reachable(user, model, field, value, noun, **where):
    """The `model` row a request names in `field` (by code where the model has one, else by
    id), if `user` may view it; an empty value is None; anything else answers 400 with one
    message for missing and out of reach alike."""
    if value in (None, ""):
        return None
    key = "code" if any(f.name == "code" for f in model._meta.fields) else "pk"
    found = restrict(user, "view", model).filter(**{key: value}, **where).first()
    if found is None:
        raise DomainError(f"{noun}“{value}”不存在或不在您的管理范围内。", field=field, status=400)
    return found
