import decimal

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from . import audit

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    """Everything the pages load comes from the app itself (no CDN, no inline script)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class RequestContextMiddleware:
    """Makes the acting user and client address known to the audit log for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(getattr(request, "user", None), audit.client_ip(request)):
            return self.get_response(request)


class PasswordExpiryMiddleware:
    """Sends a signed-in user to what the security policy asks first: the second factor
    (core/otp.py: enrol an authenticator, or enter its code after the password), then a new
    password when the old one is older than the policy allows."""

    ALLOWED = ("password_change", "logout", "login", "otp_enrol", "otp_verify")
    SECOND_FACTOR_PAGES = ("otp_enrol", "otp_verify", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(
                settings.STATIC_URL):
            refused = self._second_factor(request, user)
            if refused is not None:
                return refused
        if (user is not None and user.is_authenticated and user.password_expired
                and not request.path.startswith((settings.STATIC_URL, "/api/"))
                and request.path not in {reverse(name) for name in self.ALLOWED}):
            return redirect("password_change")
        return self.get_response(request)

    def _second_factor(self, request, user):
        from urllib.parse import urlencode

        from . import otp

        if not otp.pending(user):
            return None
        if request.path.startswith(API_PREFIX):
            # A session signed in with the password alone reaches no API; a token (issued to
            # a full login) is not a session and is not stopped here.
            return ErrorAnswerMiddleware.api_error(403, detail=(
                "请先在网页上完成双因素验证（输入身份验证器的验证码），再调用接口。"))
        if request.path in {reverse(name) for name in self.SECOND_FACTOR_PAGES}:
            return None
        target = "otp_verify" if otp.confirmed_device(user) is not None else "otp_enrol"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse(target) + (f"?{query}" if query else ""))


API_PREFIX = "/api/"
# Under /api/ every error is JSON with a Chinese `detail`, whatever produced it (the URL
# resolver, Django's request checks, an unexpected exception).
API_ERRORS = {
    400: "请求无法处理，请检查请求内容。",
    403: "您没有执行该操作的权限。",
    404: "接口地址不存在，或对象不存在、不在您的管理范围内。请对照接口文档（/api/v1/docs/）"
         "检查地址和编号。",
    405: "不支持该请求方法。",
    413: "请求内容过大。",
    500: "服务器内部错误，请稍后再试；如持续出现，请联系系统管理员。",
}
# Bad input met below the validators (a value beyond SQLite's integers, a number Decimal
# cannot hold): the client's mistake, answered 400 rather than 500.
BAD_INPUT = (OverflowError, decimal.InvalidOperation)


def _size_text(limit: int) -> str:
    return f"{limit / 1048576:.1f} MB".replace(".0 MB", " MB")


def error_page(request, template: str, status: int, context=None) -> HttpResponse:
    """An error page in the site's frame. Without an authenticated request (before the
    session is read) the frame is drawn without the menu."""
    if request is not None and hasattr(request, "user"):
        from django.shortcuts import render

        return render(request, template, context or {}, status=status)
    return HttpResponse(render_to_string(template, context or {}), status=status)


class ErrorAnswerMiddleware:
    """Errors answered in Chinese and in the right form: JSON under /api/, the site's pages
    elsewhere. An oversize body is refused from its declared length, before anything reads
    it (Django would answer an English "Bad Request (400)")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = self._too_large(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if (request.path.startswith(API_PREFIX) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            return self.api_error(response.status_code, response)
        return response

    @staticmethod
    def api_error(status, original=None, detail=None):
        detail = detail or API_ERRORS.get(status, f"请求未能完成（HTTP {status}）。")
        response = JsonResponse({"detail": detail}, status=status,
                                json_dumps_params={"ensure_ascii": False})
        if original is not None and original.has_header("Allow"):
            response["Allow"] = original["Allow"]
        return response

    def _too_large(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        # Uploaded files do not count towards the limit; their own views bound them.
        if limit is None or declared <= limit or request.content_type == "multipart/form-data":
            return None
        if request.path.startswith(API_PREFIX):
            return self.api_error(413, detail=(
                f"请求内容过大（超过 {_size_text(limit)}）。请减少一次提交的数据，分批提交。"))
        return error_page(None, "413.html", 413, {"limit": _size_text(limit)})

    def process_exception(self, request, exception):
        if not isinstance(exception, BAD_INPUT):
            return None
        message = "请求中的数值超出允许范围，请检查后重试。"
        if request.path.startswith(API_PREFIX):
            return self.api_error(400, detail=message)
        return error_page(request, "400.html", 400, {"message": message})


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user (and every API answer) carry personal data:
    no browser or proxy keeps them. Public boards and static files may be cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # the view said so itself
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
