"""API views of the platform itself (token, current account, schema, docs) and the base
classes every app's API builds on.

Refusals follow one rule, the same on every endpoint:

* no or bad credentials → 401;
* the user's roles grant the action on that kind of object nowhere (a community account
  merging organisations, a liaison creating units) → 403, decided before any lookup, so it
  says nothing about whether an object exists;
* the object (or, for a list, the rows) lies outside the user's scope for that action → 404
  (lookups go through `restrict(user, action)`), indistinguishable from a missing object;
* a code in the request body naming another object the user cannot reach → 400 naming it.
"""

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import audit, otp
from .access import ROLE_LABELS, SELF_ROLES, can, grants_of, role_choices
from .api import AuditContextMixin
from .auth import LOGIN_REFUSED
from .services import DomainError

# ---- schema: every operation documents its error answers ---------------------------------

_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "错误说明（中文）"},
        "field": {"type": "string", "description": "出错的字段（如有）"},
    },
    "required": ["detail"],
}
# Serializer and filter errors come as {"字段": ["说明", ...]}; service errors as
# {"detail": "...", "field": "..."}.
_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "错误说明（中文）"},
        "field": {"type": "string", "description": "出错的字段（如有）"},
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": "校验错误：{\"detail\": 说明, \"field\": 字段} 或 {字段名: [说明, ...]}",
}

_ERRORS = {
    "400": ("ValidationError", _VALIDATION_ERROR_SCHEMA, "请求内容有误"),
    "401": ("Error", _ERROR_SCHEMA, "未登录或令牌无效"),
    "403": ("Error", _ERROR_SCHEMA, "角色无此操作权限"),
    "404": ("Error", _ERROR_SCHEMA, "对象不存在或不在您的管理范围内"),
    "409": ("Error", _ERROR_SCHEMA, "业务规则不允许该操作"),
    "415": ("Error", _ERROR_SCHEMA, "请求内容须为 JSON"),
}


class GongjianAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error responses each operation can give."""

    def _error_codes(self):
        public = any(issubclass(p, permissions.AllowAny)
                     for p in getattr(self.view, "permission_classes", ()))
        codes = []
        writes = self.method not in ("GET", "HEAD")
        if writes or self._is_list_view():
            codes.append("400")
        if not public:
            codes += ["401", "403", "404"]
        if writes and not public:
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            name, schema, description = _ERRORS[code]
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA,
                                          schema=schema, object=name)
            self.registry.register_on_missing(component)
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": component.ref}},
            }
        return responses


class GongjianSessionScheme(SessionScheme):
    """The API's session login (core.api_auth) is documented as DRF's (cookie + CSRF)."""

    target_class = "gongjian.core.api_auth.SessionAuthentication"


# ---- the scoped viewset -----------------------------------------------------------------

class ActionPermission(permissions.BasePermission):
    """403 unless the user's roles grant the view's action on its model somewhere."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model, action = view.required_permission()
        return can(request.user, action, model)


class ScopedViewSet(AuditContextMixin, viewsets.GenericViewSet):
    """A viewset whose rows come through `restrict(user, action)` for the action at hand.

    `model_actions` maps a viewset action to the access action; `permission_for` overrides
    the (model, action) that must be granted somewhere (e.g. grid posts checked on GridPost
    while the grid is looked up for "change").
    """

    model = None
    model_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "update": "change",
        "partial_update": "change",
        "destroy": "delete",
    }
    permission_for: dict = {}
    permission_classes = [permissions.IsAuthenticated, ActionPermission]
    parser_classes = [JSONParser]
    schema = GongjianAutoSchema()

    def __init_subclass__(cls, **kwargs):
        # Rows looked up by id take digits only in their URLs: "null" or "1e3" is a 404 from
        # the router, never a value handed to the database.
        super().__init_subclass__(**kwargs)
        explicit = any("lookup_value_regex" in vars(k) and not vars(k).get("_digits_only")
                       for k in cls.__mro__)
        if not explicit:
            digits = getattr(cls, "lookup_field", "pk") in ("pk", "id")
            cls.lookup_value_regex = "[0-9]+" if digits else "[^/.]+"
            cls._digits_only = True

    def access_action(self):
        return self.model_actions.get(self.action, "view")

    def required_permission(self):
        return self.permission_for.get(self.action, (self.model, self.access_action()))

    def base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.base_queryset().restrict(self.request.user, self.access_action())

    def paginated(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        if page is not None:
            return self.get_paginated_response(
                serializer_class(page, many=True, context=context).data)
        return Response(serializer_class(queryset, many=True, context=context).data)


# ---- token and current account ------------------------------------------------------------

class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=128, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp = serializers.CharField(label="动态验证码", max_length=12, required=False,
                                allow_blank=True,
                                help_text="须启用双因素认证的账户（街道工作人员、管理员）必填：身份验证器上的 6 位数字。")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌", read_only=True)


# Exchange a username and password for the account's API token.
class ObtainTokenView(AuditContextMixin, APIView):

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    parser_classes = (JSONParser,)
    schema = GongjianAutoSchema()

    @extend_schema(
        operation_id="auth_token_create",
        summary="获取令牌",
        description=(
            "用户名和密码换取 API 令牌（同一账户复用同一令牌）。连续失败 "
            f"{settings.LOGIN_MAX_FAILURES} 次后账户锁定 {settings.LOGIN_LOCK_MINUTES} 分钟，"
            "锁定期间即使密码正确也不发放令牌；密码过期须先在网页修改；须启用双因素认证的账户"
            "还须填写身份验证器上的动态验证码。"),
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(http_request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:  # the same words whatever the reason (core.auth)
            return Response({"detail": str(LOGIN_REFUSED)}, status=status.HTTP_400_BAD_REQUEST)
        ip = audit.client_ip(http_request)
        if user.password_expired:
            # Same policy as the pages: an expired password is changed before any other use.
            audit.record("token", user, success=False, user=user, ip=ip, detail="密码已过期")
            return Response({"detail": "密码已过期，请先登录网页修改密码后再获取令牌。"},
                            status=status.HTTP_400_BAD_REQUEST)
        # A token is a login: an account that owes a second factor gives it here too.
        refusal = otp.token_refusal(user, data.validated_data.get("otp"))
        if refusal:
            audit.record("token", user, success=False, user=user, ip=ip, detail="动态验证码未通过")
            return Response({"detail": refusal}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=user)
        audit.record("token", user, user=user, ip=ip)
        return Response({"token": token.key})


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(label="角色", choices=role_choices())
    role_label = serializers.CharField(label="角色名称")
    org_code = serializers.CharField(label="组织编码", allow_null=True)
    org_name = serializers.CharField(label="组织名称", allow_null=True)
    unit_code = serializers.CharField(label="单位编码", allow_null=True)
    unit_name = serializers.CharField(label="单位名称", allow_null=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    display_name = serializers.CharField(label="姓名")
    roles = RoleSerializer(many=True)


class MeView(AuditContextMixin, APIView):
    schema = GongjianAutoSchema()

    @extend_schema(summary="当前账户", responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        user = request.user
        roles = [{
            "role": g.role,
            "role_label": ROLE_LABELS.get(g.role, g.role),
            "org_code": g.org.code if g.org_id else None,
            "org_name": g.org.name if g.org_id else None,
            "unit_code": g.unit.code if g.unit_id else None,
            "unit_name": g.unit.name if g.unit_id else None,
        } for g in grants_of(user)]
        return Response(MeSerializer({"username": user.username,
                                      "display_name": user.display_name,
                                      "roles": roles}).data)


# ---- schema and docs --------------------------------------------------------------------

class SchemaView(AuditContextMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, for signed-in users (session or token)."""

    permission_classes = (permissions.IsAuthenticated,)


def uses_api(user) -> bool:
    """Whether the user's work reaches the API: staff at an organisation or a unit and the
    platform administrators do; members and residents (roles over their own records) use the
    site only, so their menu does not offer the API documentation."""
    return any(g.role not in SELF_ROLES for g in grants_of(user))


class DocsView(AuditContextMixin, SpectacularSwaggerSplitView):
    """Swagger UI inside the site's page frame. Styles and scripts come from the app itself
    (no inline script); the schema it loads needs a signed-in session or a token."""

    permission_classes = (permissions.AllowAny,)
    url_name = "api-schema"
    template_name = "core/api_docs.html"
    template_name_js = "core/api_docs.js"
    title = "接口文档"


__all__ = ["ActionPermission", "DocsView", "GongjianAutoSchema", "MeView",
           "ObtainTokenView", "SchemaView", "ScopedViewSet", "uses_api"]


# ---- workflow steps ------------------------------------------------------------------------

def validated(serializer_class, request) -> dict:
    """The request body checked by `serializer_class`; the first error as a 400 with a
    Chinese `detail` naming the field."""
    if serializer_class is None:
        return {}
    serializer = serializer_class(data=request.data)
    if not serializer.is_valid():
        field, errors = next(iter(serializer.errors.items()))
        raise DomainError(" ".join(str(e) for e in errors),
                          field=None if field == "non_field_errors" else field, status=400)
    return dict(serializer.validated_data)


class WorkflowViewSetMixin:
    """What `workflow_actions` needs of a viewset: the params of a step and the answer."""

    step_requests: dict = {}

    def step_params(self, step, request) -> dict:
        custom = getattr(self, f"params_{step.name}", None)
        if custom is not None:
            return custom(request)
        params = validated(self.step_requests.get(step.name), request)
        for name in step.fields:
            if name in request.FILES:
                params[name] = request.FILES[name]
        return params

    def answer(self, obj, status_code=status.HTTP_200_OK):
        obj = self.base_queryset().restrict(self.request.user, "view").filter(pk=obj.pk).first()
        if obj is None:  # the step took the object out of the user's sight (a withdrawal)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(obj).data, status=status_code)


def workflow_actions(workflow, *, services, requests=None, responses=None, parsers=None,
                     descriptions=None, parameters=None, skip=()):
    """Class decorator: one `POST …/{id}/{step}/` action per step of `workflow` that people
    take (route name `<basename>-<step>`), each through `services.<step>(obj, user=…,
    **params)`; a refusal answers 409 (or 400 for bad data) with a Chinese `detail`.
    `parameters` documents the path's lookup (e.g. an `OpenApiParameter` for `id`).
    A viewset that defines a method of a step's name keeps its own; `skip` names steps served
    otherwise (an edit step that is the viewset's PATCH)."""
    requests, parsers, descriptions = requests or {}, parsers or {}, descriptions or {}

    def make(step):
        def take_step(self, request, **lookup):  # pk, code, …: whatever the viewset looks up by
            obj = self.get_object()
            getattr(services, step.name)(obj, user=request.user, **self.step_params(step, request))
            return self.answer(obj)

        take_step.__name__ = step.name
        take_step.__doc__ = step.label
        return take_step

    def decorate(cls):
        cls.model_actions = dict(cls.model_actions)
        cls.step_requests = {**getattr(cls, "step_requests", {}), **requests}
        for step in workflow:
            if step.action is None:
                continue
            cls.model_actions.setdefault(step.name, step.action)
            if step.name in cls.__dict__ or step.name in skip:
                continue
            options = {"parser_classes": parsers[step.name]} if step.name in parsers else {}
            # The schema goes on the action (DRF's decorator replaces the function's kwargs).
            routed = action(detail=True, methods=["post"], url_path=step.name,
                            **options)(make(step))
            setattr(cls, step.name, extend_schema(
                summary=step.label, description=descriptions.get(step.name, ""),
                request=requests.get(step.name), parameters=parameters,
                responses=responses or cls.serializer_class)(routed))
        return cls

    return decorate
