import datetime

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import accounts, audit
from .access import ROLE_LABELS, grants_of, restrict
from .forms import (
    AccountEditForm,
    AccountForm,
    AuditFilterForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from .generic import ScopedView, paginate, run_service
from .models import AuditEntry, Notification, RoleGrant, User
from .navigation import menu_for


class Login(LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("login", self.request.user, user=self.request.user)
        return response


@require_POST
def logout(request):
    if request.user.is_authenticated:
        audit.record("logout", request.user, user=request.user)
    auth_logout(request)
    return redirect("login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, user = run_service(request, form, lambda: accounts.change_own_password(
            request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]),
            "密码已修改。")
        if ok:
            update_session_auth_hash(request, user)
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "core/password_change.html",
                  {"form": form, "expired": request.user.password_expired}, status=status)


@login_required
def home(request):
    from gongjian.orgs.queries import scope_summary

    user = request.user
    grants = grants_of(user)
    context = {"grants": grants, "summary": scope_summary(user)}
    if restrict(user, "view", User).exists():
        context["accounts"] = {
            "total": User.objects.count(),
            "active": User.objects.filter(is_active=True).count(),
            "locked": User.objects.filter(locked_until__gt=timezone.now()).count(),
            "expired": User.objects.filter(password_changed_at__isnull=True).count(),
        }
    if restrict(user, "view", RoleGrant).exists():
        context["grant_total"] = RoleGrant.objects.count()
    audit_rows = restrict(user, "view", AuditEntry)
    if audit_rows.exists():
        since = timezone.now() - datetime.timedelta(days=1)
        context["audit"] = {
            "today": audit_rows.filter(at__gte=since).count(),
            "failed_logins": audit_rows.filter(at__gte=since, event="login_failed").count(),
        }
    context["shortcuts"] = [child for item in menu_for(user)
                            for child in item.get("children", [item])]
    context["boards"] = _home_boards(user, grants)
    context["unread"] = restrict(user, "view", Notification).filter(
        read_at__isnull=True)[:5]
    return render(request, "core/home.html", context)


def _home_boards(user, grants):
    """The public boards of the communities (or streets) the user's grants sit in."""
    from gongjian.orgs.models import Organization, ancestor_paths

    homes = [g.org for g in grants if g.org_id] + [g.unit.org for g in grants
                                                   if g.unit_id and g.unit.org_id]
    paths = {path for org in homes for path in ancestor_paths(org.path)}
    if not paths:
        return []
    return list(restrict(user, "board", Organization).filter(path__in=paths, sector="community")
                .order_by("path")[:5])


# ---- accounts (系统管理员) ------------------------------------------------------------------

class AccountList(ScopedView):
    model = User
    template_name = "core/account_list.html"

    def get(self, request):
        rows = self.scoped().prefetch_related("grants__org", "grants__unit")
        q = request.GET.get("q", "").strip()
        if q:
            rows = rows.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "q": q, "now": timezone.now(),
                            "can_add": self.can("add")})


class AccountCreate(ScopedView):
    model = User
    action = "add"
    template_name = "core/account_form.html"

    def get(self, request):
        return self.render({"form": AccountForm()})

    def post(self, request):
        form = AccountForm(request.POST)
        if form.is_valid():
            ok, user = run_service(request, form, lambda: accounts.create_account(
                request.user, **form.cleaned_data), "账户已创建。")
            if ok:
                return redirect("account_detail", pk=user.pk)
        return self.render({"form": form}, status=400)


class AccountDetail(ScopedView):
    model = User
    lookup_field = "pk"
    template_name = "core/account_detail.html"

    def context(self, user, **extra):
        return {"account": user, "grants": user.grants.select_related("org", "unit"),
                "can_change": self.can("change"),
                "edit_form": extra.get("edit_form") or AccountEditForm(initial={
                    "display_name": user.display_name, "is_active": user.is_active}),
                "reset_form": extra.get("reset_form") or ResetPasswordForm()}

    def get(self, request, pk):
        return self.render(self.context(self.get_object()))

    def post(self, request, pk):
        user = self.get_object("change")
        op = request.POST.get("op")
        if op == "unlock":
            accounts.unlock_account(request.user, user)
            messages.success(request, "账户已解锁。")
            return redirect("account_detail", pk=pk)
        if op == "reset":
            form = ResetPasswordForm(request.POST)
            if form.is_valid():
                ok, _ = run_service(request, form, lambda: accounts.reset_password(
                    request.user, user, form.cleaned_data["password"]),
                    "密码已重置，持有人下次登录时须修改。")
                if ok:
                    return redirect("account_detail", pk=pk)
            return self.render(self.context(user, reset_form=form), status=400)
        form = AccountEditForm(request.POST)
        if form.is_valid():
            ok, _ = run_service(request, form, lambda: accounts.update_account(
                request.user, user, **form.cleaned_data), "账户已保存。")
            if ok:
                return redirect("account_detail", pk=pk)
        return self.render(self.context(user, edit_form=form), status=400)


# ---- grants (安全管理员) --------------------------------------------------------------------

class GrantList(ScopedView):
    model = RoleGrant
    template_name = "core/grant_list.html"

    def get(self, request):
        rows = self.scoped().select_related("user", "org", "unit", "granted_by")
        q = request.GET.get("q", "").strip()
        role = request.GET.get("role", "")
        if q:
            rows = rows.filter(Q(user__username__icontains=q) | Q(user__display_name__icontains=q)
                               | Q(org__name__icontains=q) | Q(unit__name__icontains=q))
        if role in ROLE_LABELS:
            rows = rows.filter(role=role)
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "q": q, "role": role,
                            "roles": ROLE_LABELS, "can_add": self.can("add"),
                            "can_delete": self.can("delete")})


class GrantCreate(ScopedView):
    model = RoleGrant
    action = "add"
    template_name = "core/grant_form.html"

    def get(self, request):
        return self.render({"form": GrantForm(initial={"username": request.GET.get("user", "")})})

    def post(self, request):
        from gongjian.orgs.models import Organization, Unit

        form = GrantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = User.objects.filter(username=data["username"]).first()
            org = unit = None
            if user is None:
                form.add_error("username", f"账户“{data['username']}”不存在。")
            if data.get("org_code"):
                org = Organization.objects.filter(code=data["org_code"]).first()
                if org is None:
                    form.add_error("org_code", f"组织编码“{data['org_code']}”不存在。")
            if data.get("unit_code"):
                unit = Unit.objects.filter(code=data["unit_code"]).first()
                if unit is None:
                    form.add_error("unit_code", f"单位编码“{data['unit_code']}”不存在。")
            if not form.errors:
                ok, _ = run_service(request, form, lambda: accounts.grant_role(
                    request.user, user=user, role=data["role"], org=org, unit=unit),
                    "已授权。")
                if ok:
                    return redirect("grant_list")
        return self.render({"form": form}, status=400)


class GrantRevoke(ScopedView):
    model = RoleGrant
    action = "delete"
    lookup_field = "pk"

    def post(self, request, pk):
        grant = self.get_object()
        accounts.revoke_grant(request.user, grant)
        messages.success(request, f"已收回授权：{grant}")
        return redirect("grant_list")


# ---- audit log (审计管理员) -----------------------------------------------------------------

class AuditList(ScopedView):
    model = AuditEntry
    template_name = "core/audit_list.html"

    def get(self, request):
        form = AuditFilterForm(request.GET or None)
        rows = self.scoped().select_related("actor")
        if form.is_valid():
            data = form.cleaned_data
            if data["q"]:
                rows = rows.filter(Q(object_repr__icontains=data["q"])
                                   | Q(detail__icontains=data["q"])
                                   | Q(object_id=data["q"]))
            if data["actor"]:
                rows = rows.filter(actor_name=data["actor"])
            if data["event"]:
                rows = rows.filter(event=data["event"])
            if data["date_from"]:
                rows = rows.filter(at__date__gte=data["date_from"])
            if data["date_to"]:
                rows = rows.filter(at__date__lte=data["date_to"])
        page, query = paginate(request, rows)
        return self.render({"form": form, "page": page, "query": query,
                            "labels": audit.EVENT_LABELS})


# ---- notifications (every account) ---------------------------------------------------------

class NotificationList(ScopedView):
    model = Notification
    template_name = "core/notification_list.html"

    def get(self, request):
        rows = self.scoped()
        unread_only = request.GET.get("unread") == "1"
        if unread_only:
            rows = rows.filter(read_at__isnull=True)
        page, query = paginate(request, rows)
        return self.render({"page": page, "query": query, "unread_only": unread_only})


class NotificationOpen(ScopedView):
    """Mark one notification read and follow its link (POST, so a prefetch reads nothing)."""

    model = Notification
    action = "change"
    lookup_field = "pk"

    def post(self, request, pk):
        note = self.get_object()
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        target = note.url if url_has_allowed_host_and_scheme(note.url, None) else ""
        return redirect(target or "notification_list")


class NotificationReadAll(ScopedView):
    model = Notification
    action = "change"

    def post(self, request):
        count = self.scoped().filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, f"已将 {count} 条通知标为已读。")
        return redirect("notification_list")
