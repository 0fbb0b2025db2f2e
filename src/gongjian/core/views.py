import datetime

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import accounts, audit, notifications, otp
from .access import grants_of, restrict
from .filtersets import AccountFilterSet, AuditFilterSet, GrantFilterSet, NotificationFilterSet
from .forms import (
    AccountEditForm,
    AccountForm,
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from .generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ScopedView,
    run_action,
    run_service,
)
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


def csrf_failure(request, reason=""):
    """A refused form post (the page was open too long, cookies blocked): say what to do."""
    from .middleware import API_PREFIX, ErrorAnswerMiddleware, error_page

    if request.path.startswith(API_PREFIX):
        from .api_auth import CSRF_REFUSED

        return ErrorAnswerMiddleware.api_error(403, detail=CSRF_REFUSED)
    return error_page(request, "403_csrf.html", 403)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_task_queue():
    # The background worker takes its work from this table (django-tasks' database backend).
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.exists()


@never_cache
def healthz(request):
    """For a load balancer or monitor: no login, no data; 503 when the database or the task
    queue cannot be queried."""
    try:
        _check_database()
        _check_task_queue()
    except DatabaseError:
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})


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
            user=request.user, old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"]),
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

class AccountList(ObjectListView):
    model = User
    template_name = "core/account_list.html"
    filterset_class = AccountFilterSet

    def annotate_rows(self, rows):
        return rows.prefetch_related("grants__org", "grants__unit")

    def extra_context(self):
        return {"now": timezone.now()}


class AccountCreate(ObjectEditView):
    model = User
    lookup_field = "pk"
    form_class = AccountForm
    form_takes_user = False
    template_name = "core/account_form.html"
    detail_url = "account_detail"
    list_url = "account_list"
    title_add = "新建账户"
    submit_label = "创建"
    saved_message = "账户已创建。"

    def save(self, form, obj):
        return accounts.create_account(user=self.request.user, **form.cleaned_data)


class AccountDetail(ObjectDetailView):
    """An account, with the forms that change it (`op`: edit, reset, unlock)."""

    model = User
    lookup_field = "pk"
    template_name = "core/account_detail.html"
    context_object_name = "account"
    object_actions = ("change",)
    forms: dict = {}

    def extra_context(self):
        account = self.object
        return {"grants": account.grants.select_related("org", "unit"),
                "otp_device": otp.confirmed_device(account),
                "edit_form": self.forms.get("edit") or AccountEditForm(initial={
                    "display_name": account.display_name, "is_active": account.is_active}),
                "reset_form": self.forms.get("reset") or ResetPasswordForm()}

    def post(self, request, pk):
        account = self.object = self.get_object("change")
        actor, op = request.user, request.POST.get("op")
        if op == "unlock":
            run_action(request, lambda: accounts.unlock_account(account, user=actor), "账户已解锁。")
            return redirect("account_detail", pk=pk)
        if op == "reset":
            form = ResetPasswordForm(request.POST)
            done = "密码已重置，持有人下次登录时须修改。"

            def call():
                return accounts.reset_password(account, user=actor,
                                               password=form.cleaned_data["password"])
        else:
            op, form, done = "edit", AccountEditForm(request.POST), "账户已保存。"

            def call():
                return accounts.update_account(account, user=actor, **form.cleaned_data)
        if form.is_valid() and run_service(request, form, call, done)[0]:
            return redirect("account_detail", pk=pk)
        self.forms = {op: form}
        return self.render(self.context(account), status=400)


# ---- grants (安全管理员) --------------------------------------------------------------------

class GrantList(ObjectListView):
    model = RoleGrant
    template_name = "core/grant_list.html"
    filterset_class = GrantFilterSet

    def annotate_rows(self, rows):
        return rows.select_related("user", "org", "unit", "granted_by")

    def extra_context(self):
        return {"can_delete": self.can("delete")}


class GrantCreate(ObjectEditView):
    model = RoleGrant
    form_class = GrantForm
    form_takes_user = False
    template_name = "core/grant_form.html"
    list_url = "grant_list"
    title_add = "授予角色"
    submit_label = "授予"
    saved_message = "已授权。"

    def initial(self, obj):
        return {"username": self.request.GET.get("user", "")}

    def save(self, form, obj):
        return accounts.grant_role_by_codes(user=self.request.user, **form.cleaned_data)

    def success_url(self, obj):
        return reverse(self.list_url)


class GrantRevoke(ObjectDeleteView):
    model = RoleGrant
    lookup_field = "pk"
    list_url = "grant_list"
    deleted_message = "已收回授权：{obj}"

    def delete(self, obj):
        accounts.revoke_grant(obj, user=self.request.user)

    def object_url(self, obj):  # a grant has no page of its own
        return reverse(self.list_url)


# ---- audit log (审计管理员) -----------------------------------------------------------------

class AuditList(ObjectListView):
    model = AuditEntry
    template_name = "core/audit_list.html"
    filterset_class = AuditFilterSet

    def annotate_rows(self, rows):
        return rows.select_related("actor")

    def extra_context(self):
        return {"labels": audit.EVENT_LABELS}


# ---- notifications (every account) ---------------------------------------------------------

class NotificationList(ObjectListView):
    model = Notification
    template_name = "core/notification_list.html"
    filterset_class = NotificationFilterSet

    def list_context(self):
        context = super().list_context()
        return {**context, "unread_only": bool(context["filter"].form.cleaned_data.get("unread"))}


class NotificationOpen(ScopedView):
    """Mark one notification read and follow its link (POST, so a prefetch reads nothing)."""

    model = Notification
    action = "change"
    lookup_field = "pk"

    def post(self, request, pk):
        note = notifications.mark_read(self.get_object(), user=request.user)
        target = note.url if url_has_allowed_host_and_scheme(note.url, None) else ""
        return redirect(target or "notification_list")


class NotificationReadAll(ScopedView):
    model = Notification
    action = "change"

    def post(self, request):
        count = notifications.mark_all_read(user=request.user)
        messages.success(request, f"已将 {count} 条通知标为已读。")
        return redirect("notification_list")
