"""Session authentication for the API (kept apart from core.api: DRF imports it while its
own views module is still loading)."""

from rest_framework import authentication, exceptions

CSRF_REFUSED = ("CSRF 校验失败：用网页登录的会话调用接口时，写操作须在请求头 X-CSRFToken 中附上"
                " csrftoken Cookie 的值；程序调用请改用令牌认证（Authorization: Token <令牌>）。")


class CsrfRefused(exceptions.PermissionDenied):
    default_detail = CSRF_REFUSED


class SessionAuthentication(authentication.SessionAuthentication):
    """Session login for the API, whose CSRF refusal says what is missing and what to do
    (DRF's says only "CSRF Failed", which the generic 403 message would then hide)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise CsrfRefused() from None
