"""The roster's vocabulary (RULES.md §7), as data."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
    "基诺族",
]
Ethnicity = models.TextChoices("Ethnicity", [(e, e) for e in ETHNICITIES])


class Education(models.TextChoices):
    """GB/T 4658-2006 groups, highest first."""

    POSTGRADUATE = "研究生", "研究生"
    BACHELOR = "大学本科", "大学本科"
    COLLEGE = "大学专科", "大学专科"
    SECONDARY_VOCATIONAL = "中专/中职", "中专/中职"
    HIGH_SCHOOL = "高中", "高中"
    JUNIOR_OR_BELOW = "初中及以下", "初中及以下"


# "大专及以上" as party statistics count it.
COLLEGE_OR_ABOVE = {Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE}


class Category(models.TextChoices):
    FULL = "正式党员", "正式党员"
    PROBATIONARY = "预备党员", "预备党员"


class Standing(models.TextChoices):
    NORMAL = "正常", "正常"
    MOBILE = "流动", "流动党员"
    LOST_CONTACT = "失联", "失联"
    SUSPENDED = "停止党籍", "停止党籍"
    TRANSFERRED_OUT = "已转出", "已转出"
    DECEASED = "已故", "已故"


# Standings in which the membership is still held by this organisation's roster.
ON_ROSTER = {Standing.NORMAL, Standing.MOBILE, Standing.LOST_CONTACT, Standing.SUSPENDED}

# Age bands of party statistics: ≤30, 31–35, 36–40, … 56–60, ≥61 (full years).
AGE_BANDS = [("30岁及以下", 0, 30)] + [
    (f"{low}-{low + 4}岁", low, low + 4) for low in range(31, 61, 5)
] + [("61岁及以上", 61, 200)]


class Post(models.TextChoices):
    SECRETARY = "书记", "书记"
    DEPUTY_SECRETARY = "副书记", "副书记"
    MEMBER = "委员", "委员"


class StaffRole(models.TextChoices):
    LEADER = "分管领导", "党建分管领导"
    SOCIAL_WORKER = "党建社工", "党建社工"
    ASSISTANT = "党建协理员", "党建协理员"
    FULL_TIME = "专职党务工作者", "专职党务工作者"
    INSTRUCTOR = "党建指导员", "党建指导员"


# Seed 001: one leader in charge, one social worker, one assistant per community.
DEFAULT_STAFFING_STANDARD = {StaffRole.LEADER: 1, StaffRole.SOCIAL_WORKER: 1,
                             StaffRole.ASSISTANT: 1}
