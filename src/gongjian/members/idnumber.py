"""Citizen ID numbers, GB 11643-1999: 6 area digits, birth date, 3 sequence digits, check."""

import datetime
import re

from django.core.exceptions import ValidationError

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    return (value or "").strip().upper()


def parse(value: str) -> tuple[datetime.date, str]:
    """(birth date, sex "男"/"女") of a valid number; ValidationError in Chinese otherwise."""
    number = normalize(value)
    if not _SHAPE.match(number):
        raise ValidationError("公民身份号码须为 18 位，前 17 位为数字，末位为数字或 X。",
                              code="id_shape")
    if check_char(number[:17]) != number[17]:
        raise ValidationError("公民身份号码校验位不正确，请核对。", code="id_check")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("公民身份号码中的出生日期不存在。", code="id_birth") from None
    sex = "男" if int(number[16]) % 2 else "女"
    return birth, sex


def mask(value: str) -> str:
    """110105********002X: area and last four kept."""
    number = normalize(value)
    return number[:6] + "*" * 8 + number[14:] if len(number) == 18 else "*" * len(number)


def mask_birth_date(value: datetime.date | None) -> str:
    """1974 年: the year at most. Month and day are the eight digits the ID number's mask
    hides; shown beside it they would give the whole number back."""
    return f"{value.year} 年" if value else ""


def mask_phone(value: str) -> str:
    """138****5678."""
    digits = (value or "").strip()
    if len(digits) == 11:
        return digits[:3] + "****" + digits[7:]
    return digits[:-4].translate(str.maketrans("0123456789", "**********")) + digits[-4:] \
        if len(digits) > 4 else "****"
