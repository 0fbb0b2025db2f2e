from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

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
    """Sends a user whose password is older than the policy allows to change it first."""

    ALLOWED = ("password_change", "logout", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.password_expired
                and not request.path.startswith((settings.STATIC_URL, "/api/"))
                and request.path not in {reverse(name) for name in self.ALLOWED}):
            return redirect("password_change")
        return self.get_response(request)
