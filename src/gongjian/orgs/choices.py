"""The organisation system's vocabulary and its structural rules, kept as data."""

from django.db import models


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "working_committee", "党工委"
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
    GROUP = "group", "党小组"


# Which kinds may stand directly under which (None = a root of the tree).
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgKind.WORKING_COMMITTEE: {None, OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE},
    OrgKind.COMMITTEE: {OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE},
    OrgKind.BRANCH: {OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.TEMPORARY_BRANCH: {
        OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH,
    },
    OrgKind.GROUP: {OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH, OrgKind.GENERAL_BRANCH},
}

# Grids are run by a community's or a grid's party organisation, never by a group or the street.
GRID_OWNER_KINDS = {
    OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH,
}


class Sector(models.TextChoices):
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    RESIDENTIAL = "residential", "小区/网格"
    BUILDING = "building", "楼栋/楼道"
    GOVERNMENT = "government", "机关"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    STATE_ENTERPRISE = "state_enterprise", "国有企业"
    NON_PUBLIC_ENTERPRISE = "non_public_enterprise", "非公有制企业"
    SOCIAL_ORGANIZATION = "social_organization", "社会组织"
    PROJECT = "project", "项目"
    OTHER = "other", "其他"


class UnitType(models.TextChoices):
    GOVERNMENT = "government", "机关"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    BANK = "bank", "银行"
    PUBLIC_INSTITUTION = "public_institution", "其他事业单位"
    STATE_COMPANY = "state_company", "国有企业"
    PRIVATE_COMPANY = "private_company", "非公有制企业"
    SOCIAL_ORGANIZATION = "social_organization", "社会组织"


# 两新组织: the units whose party-organisation coverage the street must report.
NON_PUBLIC_UNIT_TYPES = {UnitType.PRIVATE_COMPANY, UnitType.SOCIAL_ORGANIZATION}

# 一格五员: the default grid posts; the list is editable in the console.
DEFAULT_GRID_ROLES = ["网格长", "专职网格员", "网格督导员", "网格警员", "网格信息员"]

# Mainland China and its islands, generously bounded (WGS-84 / GCJ-02 degrees).
CHINA_LNG = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)
