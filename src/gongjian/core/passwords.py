import string

from django.conf import settings
from django.core.exceptions import ValidationError

CLASSES = {
    "小写字母": set(string.ascii_lowercase),
    "大写字母": set(string.ascii_uppercase),
    "数字": set(string.digits),
    "符号": set(string.punctuation + " "),
}


class ComplexityValidator:
    """At least N characters from at least K of four classes (RULES.md §6)."""

    def validate(self, password, user=None):
        minimum = settings.PASSWORD_MIN_LENGTH
        if len(password) < minimum:
            raise ValidationError(f"密码至少需要 {minimum} 个字符。", code="password_too_short")
        present = sum(1 for chars in CLASSES.values() if chars & set(password))
        needed = settings.PASSWORD_MIN_CLASSES
        if present < needed:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、符号中的至少 {needed} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return (f"至少 {settings.PASSWORD_MIN_LENGTH} 个字符，包含小写字母、大写字母、数字、符号中的"
                f"至少 {settings.PASSWORD_MIN_CLASSES} 类。")
