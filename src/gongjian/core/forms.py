from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import FieldDoesNotExist

from .access import PLATFORM_ROLES, ROLES_AT_ORG, ROLES_AT_UNIT, restrict, role_choices
from .auth import LOGIN_REFUSED

# A browser date input only takes ISO dates, whatever the display locale.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class Styled:
    """Gives every widget its Bootstrap class, so templates render fields as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ScopedChoices:
    """Every model choice of the form goes through restrict(): a form with this mixin takes
    `user=` and narrows each ModelChoiceField / ModelMultipleChoiceField's queryset to the rows
    the user may `scope_action` (default "view"; set it with `scoped(field, action)`). A form
    narrows further by filtering `self.fields[name].queryset`, never by building the choices
    from `.objects` itself.

    On a model form editing an object, the object's current value of a foreign key stays a
    valid choice even outside the user's reach: keeping a relation as it is needs no reach
    over its target (a unit's liaison editing the unit keeps its street), and a select never
    silently drops a value it cannot list. Put the mixin before `Styled` and the form class.
    """

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                action = getattr(field, "scope_action", "view")
                reachable = restrict(user, action, field.queryset)
                current = _current_pk(instance, name)
                if current is not None:
                    reachable = reachable | field.queryset.filter(pk=current)
                field.queryset = reachable


def _current_pk(instance, name):
    """The primary key a stored object's foreign key `name` points to, if any."""
    if instance is None or instance.pk is None:
        return None
    try:
        model_field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not model_field.many_to_one:
        return None
    return getattr(instance, model_field.attname)


def scoped(field, action: str):
    """Declare the access action a model choice needs (ScopedChoices applies it)."""
    field.scope_action = action
    return field


class CodeChoiceField(forms.ModelChoiceField):
    """A model choice typed (or picked by a search widget) as its code, for tables too large
    for a select. ScopedChoices narrows it like any model choice, so a code outside the
    user's reach is answered exactly like a missing one, naming the code typed."""

    def __init__(self, queryset, *, noun, widget=forms.TextInput, to_field_name="code",
                 **kwargs):
        super().__init__(queryset, widget=widget, to_field_name=to_field_name, **kwargs)
        self.error_messages["invalid_choice"] = \
            f"{noun}编码“%(value)s”不存在或不在您的管理范围内。"

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)

    def prepare_value(self, value):
        # A model form's initial value is the stored key; the input shows the code.
        if value not in self.empty_values and not isinstance(value, str) \
                and not hasattr(value, "_meta"):
            value = (self.queryset.model._default_manager.filter(pk=value)
                     .values_list(self.to_field_name, flat=True).first() or value)
        return super().prepare_value(value)


class LoginForm(AuthenticationForm):
    # One answer for every refusal (wrong password, unknown or locked account, an address
    # that failed too often): it must not tell which accounts exist or are locked.
    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}


class PasswordChangeForm(Styled, forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput)
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class AccountForm(Styled, forms.Form):
    username = forms.RegexField(label="账户名", regex=r"^[A-Za-z0-9_.-]{3,40}$", error_messages={
        "invalid": "账户名须为 3–40 位字母、数字、点、下划线或连字符。"})
    display_name = forms.CharField(label="姓名", max_length=50)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text="至少 8 位，包含大小写字母、数字、符号中的至少 3 类。")


class AccountEditForm(Styled, forms.Form):
    display_name = forms.CharField(label="姓名", max_length=50)
    is_active = forms.BooleanField(label="启用", required=False)


class ResetPasswordForm(Styled, forms.Form):
    password = forms.CharField(label="新的临时密码", widget=forms.PasswordInput,
                               help_text="账户持有人下次登录时须修改密码。")


class GrantForm(Styled, forms.Form):
    username = forms.CharField(label="账户名")
    role = forms.ChoiceField(label="角色", choices=role_choices)
    org_code = forms.CharField(label="组织编码", required=False,
                               help_text="街道、社区、网格角色及党员、居民须填写。")
    unit_code = forms.CharField(label="单位编码", required=False, help_text="共建单位联络员须填写。")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in ROLES_AT_ORG and not data.get("org_code"):
            self.add_error("org_code", "该角色须填写组织编码。")
        if role in ROLES_AT_UNIT and not data.get("unit_code"):
            self.add_error("unit_code", "共建单位联络员须填写单位编码。")
        if role in PLATFORM_ROLES and (data.get("org_code") or data.get("unit_code")):
            self.add_error("role", "平台角色不关联组织或单位。")
        return data
