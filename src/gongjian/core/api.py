"""API plumbing shared by every app: pagination, errors in Chinese, the restricted viewset."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import audit
from .services import DomainError


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


def exception_handler(exc, context):
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
    """Token-authenticated API requests set the audit actor once DRF has authenticated."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ctx = audit.current()
        ctx_user = ctx.get("user") if ctx else None
        if request.user.is_authenticated and ctx_user is not request.user:
            self._audit_cm = audit.acting_as(request.user, audit.client_ip(request))
            self._audit_cm.__enter__()

    def finalize_response(self, request, response, *args, **kwargs):
        cm = getattr(self, "_audit_cm", None)
        if cm is not None:
            cm.__exit__(None, None, None)
            self._audit_cm = None
        return super().finalize_response(request, response, *args, **kwargs)
