"""Pages of the second factor: enrol an authenticator, enter its code after the password, and
an administrator's reset of someone else's authenticator."""

import base64
import io
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import otp
from .access import restrict
from .generic import run_action
from .models import User
from .services import DomainError


class CodeForm(forms.Form):
    code = forms.CharField(label="验证码", max_length=12, error_messages={
        "required": "请输入身份验证器显示的 6 位验证码。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({
            "class": "form-control form-control-lg text-center otp-code", "inputmode": "numeric",
            "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "autofocus": True})


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return "/"


def _qr_data_uri(text: str) -> str:
    # An <img> with a data: URI: the page's CSP allows data: images, not inline SVG styles.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _page(request, template, context, status=200):
    # Until the code is entered every menu link would lead back here: the page is drawn
    # without the menu (base.html draws it for a signed-in `user`), with its own logout.
    context = {**context, "user": None, "account": request.user, "next": _next_url(request)}
    return render(request, template, context, status=status)


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
def enrol(request):
    user = request.user
    device = otp.confirmed_device(user)
    if not otp.is_required(user) or (device is not None and otp.is_verified(user)):
        return render(request, "core/otp_enrolled.html", {"device": device})
    if device is not None:
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next_url(request)})}")
    device = otp.enrolment_device(user=user)
    secret = base64.b32encode(device.bin_key).decode()
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.confirm_enrolment(request, user=user, code=form.cleaned_data["code"])
            except DomainError as error:
                form.add_error("code", error.message)
            else:
                messages.success(request, "身份验证器已启用。以后每次登录，输入密码后还须输入验证码。")
                return redirect(_next_url(request))
        status = 400
    return _page(request, "core/otp_enrol.html", {
        "form": form, "qr": _qr_data_uri(_config_url(device, secret)), "secret": _grouped(secret),
        "required": otp.is_required(user)}, status)


def _config_url(device, secret: str) -> str:
    """The otpauth:// address the QR code carries, named 共建:<account> in the app."""
    issuer = getattr(settings, "OTP_TOTP_ISSUER", None) or otp.ISSUER
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode({"secret": secret, "algorithm": "SHA1", "digits": device.digits,
                        "period": device.step, "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{params}"


@login_required
def verify(request):
    user = request.user
    if not otp.is_required(user) or otp.is_verified(user):
        return redirect(_next_url(request))
    if otp.confirmed_device(user) is None:
        return redirect(f"{reverse('otp_enrol')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                otp.verify(request, user=user, code=form.cleaned_data["code"])
            except DomainError as error:
                form.add_error("code", error.message)
            else:
                return redirect(_next_url(request))
        status = 400
    return _page(request, "core/otp_verify.html", {"form": form}, status)


@require_POST
@login_required
def reset(request, pk):
    """系统管理员 removes an account's authenticator (lost phone); audited."""
    account = restrict(request.user, "change", User).filter(pk=pk).first()
    if account is None:
        if not restrict(request.user, "change", User).exists():
            raise PermissionDenied
        raise Http404
    run_action(request, lambda: otp.reset_device(account, user=request.user),
               "已重置身份验证器：该账户下次登录时须重新启用。")
    return redirect("account_detail", pk=pk)
