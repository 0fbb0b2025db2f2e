"""The demonstration data: the four streets of the seed reports, with a login per role.

徐州经开区金山桥街道（000）、厦门湖里区金山街道（001）、郑州管城区陇海马路街道（002）、
长春经开区会展街道（003）. Every figure a report quotes is built so that it can be counted:

- 金山桥：“1+2+N”体系中的 24 个党组织 = 街道党工委（XZ-JSQ）之下的全部下级党组织，
  不含街道党工委本身（街道党委是“1”，即核心）。
- 金山：9 个社区大党委/大党总支；撤销云宝商盟等 5 家空壳党支部（已撤销，保留沿革）；
  调整归并组建的 9 个非公党组织（在册）；街道和社区共吸纳 73 个成员单位（驻区单位）。
- 陇海马路：9 个社区；隶属街道的非公和社会组织党支部 8 个（直属街道，各有其单位）。
- 会展：社区党委 → 网格党支部 → 楼道党小组三级架构，每个网格配齐“一格五员”；
  联系驻区单位 46 个，服务居民 15,000 户（楼栋户数合计）。

Everything is fictional apart from the place and unit names the reports print; people's
names are drawn from a fixed seed, so two builds give the same data. The build runs in one
transaction with the audit log suppressed: demonstration data is nobody's action.
"""

import datetime
import importlib
import random
from decimal import Decimal

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gongjian.core import audit
from gongjian.core.capabilities import demo_modules
from gongjian.core.models import RoleGrant, SiteSetting, User
from gongjian.core.workflow import record_event
from gongjian.demo.people import build_people
from gongjian.orgs import services
from gongjian.orgs.choices import OrgKind, Sector, UnitType
from gongjian.orgs.models import Building, Grid, GridPost, GridRole, Organization, OrgEvent, Unit

DEMO_PASSWORD = "Gongjian@2026"
SEED = 2026

WC, CM, GB, BR, TB, GP = (OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH,
                          OrgKind.BRANCH, OrgKind.TEMPORARY_BRANCH, OrgKind.GROUP)
S = Sector
U = UnitType
D = datetime.date


def o(suffix, name, kind, sector, established, *children, regional=False, project="", note="",
      grid=None, login=None):
    """One organisation of a street's tree. `suffix` is appended to the parent's code
    (the root carries its full code); `grid` is (grid name, estate name) for the grid the
    organisation runs; `login` makes a staff account granted at this organisation."""
    return {"suffix": suffix, "name": name, "kind": kind, "sector": sector,
            "established": established, "children": children, "regional": regional,
            "project": project, "note": note, "grid": grid, "login": login}


# ---- 徐州经开区 金山桥街道 (seed 000) --------------------------------------------------------

XUZHOU = {
    "prefix": "江苏省徐州市经济技术开发区", "area": "0516", "first": "8", "digits": 8,
    "center": (117.265, 34.285), "spread": 0.012, "building": "{n}号楼",
    "roads": ["桃园路", "和平大道", "徐海路", "金山东路", "高新路", "荆山路", "杨山路"],
}

JINSHANQIAO = o(
    "XZ-JSQ", "金山桥街道党工委", WC, S.STREET, D(2003, 6, 18),
    o("01", "怡园社区党委", CM, S.COMMUNITY, D(2005, 7, 1),
      o("01", "怡园社区第一网格党支部", BR, S.RESIDENTIAL, D(2017, 4, 12),
        grid=("怡园社区第一网格", "怡园小区")),
      o("02", "怡园社区第二网格党支部", BR, S.RESIDENTIAL, D(2017, 4, 12),
        grid=("怡园社区第二网格", "怡园新村")),
      login="yiyuan",
      note="怡园社区党群服务中心是“一刻钟党建服务圈”的中心：以15分钟步行路程为半径，"
           "设“两新”党组织活动示范区、党组织孵化中心、人才服务驿站、流动党员服务站、"
           "职工之家、企服中心。"),
    o("02", "金桥社区党委", CM, S.COMMUNITY, D(2006, 3, 20),
      o("01", "金桥社区第一网格党支部", BR, S.RESIDENTIAL, D(2017, 5, 8),
        grid=("金桥社区第一网格", "金桥花园")),
      login="jinqiao"),
    o("03", "桃园社区党委", CM, S.COMMUNITY, D(2006, 3, 20),
      o("01", "桃园社区第一网格党支部", BR, S.RESIDENTIAL, D(2017, 5, 8),
        grid=("桃园社区第一网格", "桃园小区")),
      login="taoyuan"),
    o("04", "荆山社区党总支", GB, S.COMMUNITY, D(2008, 9, 10),
      o("01", "荆山社区第一网格党支部", BR, S.RESIDENTIAL, D(2018, 3, 15),
        grid=("荆山社区第一网格", "荆山新苑")),
      login="jingshan"),
    o("05", "金山桥街道机关党支部", BR, S.GOVERNMENT, D(2003, 7, 1)),
    o("06", "中国农业银行徐州开发区支行党支部", BR, S.STATE_ENTERPRISE, D(2004, 10, 26)),
    o("07", "桃园路小学党支部", BR, S.PUBLIC_INSTITUTION, D(2009, 9, 1)),
    o("08", "徐州通域空间有限公司党总支", GB, S.NON_PUBLIC_ENTERPRISE, D(2016, 6, 28),
      o("01", "徐州通域空间有限公司第一党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2016, 6, 28)),
      o("02", "徐州通域空间有限公司第二党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2018, 11, 6))),
    o("09", "万邦党校党支部", BR, S.SOCIAL_ORGANIZATION, D(2015, 5, 4),
      note="万邦党校是街道“两新”组织的教育基地，承担党员培训、学习、教育。"),
    o("10", "金山桥街道非公企业联合党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2014, 7, 1)),
    o("11", "金山桥街道社会组织联合党支部", BR, S.SOCIAL_ORGANIZATION, D(2016, 7, 1)),
    o("12", "徐州恒信科技有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2013, 11, 18)),
    o("13", "徐州金桥物业服务有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 3, 9)),
    o("14", "徐州瑞德机械制造有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2012, 6, 30)),
    o("15", "金山桥社区卫生服务中心党支部", BR, S.PUBLIC_INSTITUTION, D(2010, 4, 16)),
    o("16", "金山桥派出所党支部", BR, S.GOVERNMENT, D(2004, 1, 8)),
    o("17", "金山桥街道流动党员党支部", BR, S.OTHER, D(2017, 8, 1),
      note="开展“党组织找党员、党员找党组织、党员找党员”，建立流动党员信息档案。"),
    regional=True, login="jinshanqiao",
    note="“红盟同心”街道大党委共建联盟（报道中称“金山桥街道党委”）。“1+2+N”党建工作体系："
         "以街道党委为核心、街道党群服务中心为主阵地、24个党组织为主体；"
         "这24个党组织就是本组织之下的全部下级党组织，不含街道党工委本身。",
)

JINSHANQIAO_UNITS = [
    ("中国农业银行股份有限公司徐州开发区支行", U.BANK, "01", "06", ""),
    ("徐州经济技术开发区桃园路小学", U.SCHOOL, "03", "07", "与街道机关党支部开展校地共建。"),
    ("徐州通域空间有限公司", U.PRIVATE_COMPANY, "01", "08", ""),
    ("万邦党校", U.SOCIAL_ORGANIZATION, "02", "09", "街道“两新”组织教育基地。"),
    ("徐州恒信科技有限公司", U.PRIVATE_COMPANY, "01", "12", ""),
    ("徐州金桥物业服务有限公司", U.PRIVATE_COMPANY, "02", "13", ""),
    ("徐州瑞德机械制造有限公司", U.PRIVATE_COMPANY, "04", "14", ""),
    ("徐州经济技术开发区金山桥社区卫生服务中心", U.HOSPITAL, "03", "15", ""),
    ("徐州经济技术开发区公安分局金山桥派出所", U.GOVERNMENT, "02", "16", ""),
    ("徐州云帆电子商务有限公司", U.PRIVATE_COMPANY, "01", "10", ""),
    ("徐州润泽家政服务有限公司", U.PRIVATE_COMPANY, "04", "10", ""),
    ("徐州经济技术开发区金山桥爱心志愿者协会", U.SOCIAL_ORGANIZATION, "01", "11", ""),
    ("徐州经济技术开发区怡园社会工作服务中心", U.SOCIAL_ORGANIZATION, "01", "11", ""),
    ("徐州鑫达建材贸易有限公司", U.PRIVATE_COMPANY, "04", None, ""),
    ("徐州乐童文化艺术培训中心", U.SOCIAL_ORGANIZATION, "03", None, ""),
    ("徐州德润餐饮管理有限公司", U.PRIVATE_COMPANY, "02", None, ""),
    ("徐州经济技术开发区金山桥幼儿园", U.SCHOOL, "03", None, ""),
]


# ---- 厦门湖里区 金山街道 (seed 001) ---------------------------------------------------------

XIAMEN = {
    "prefix": "福建省厦门市湖里区", "area": "0592", "first": "5", "digits": 7,
    "center": (118.155, 24.505), "spread": 0.01, "building": "{n}号楼",
    "roads": ["金山路", "金尚路", "仙岳路", "枋湖北二路", "五缘湾道", "安岭路", "金湖路",
              "高林中路", "林边路"],
}

_SHELL_REASON = "空壳党支部：长期无党员活动、不开展组织生活，经排查予以撤销"
_SHELL_DISSOLVED = D(2018, 5, 18)

JINSHAN = o(
    "XM-JS", "金山街道大党工委", WC, S.STREET, D(2003, 11, 18),
    o("01", "金安社区大党委", CM, S.COMMUNITY, D(2005, 4, 8),
      o("01", "金安花园小区党支部", BR, S.RESIDENTIAL, D(2017, 9, 6),
        o("01", "金安花园1号楼楼道党小组", GP, S.BUILDING, D(2018, 3, 2)),
        grid=("金安花园网格", "金安花园")),
      o("02", "金安新城小区党支部", BR, S.RESIDENTIAL, D(2017, 9, 6)),
      regional=True, login="jinan", note="福建唯一的“全国学雷锋活动示范点”。"),
    o("02", "金山社区大党委", CM, S.COMMUNITY, D(2004, 6, 30),
      o("01", "达嘉馨园小区党支部", BR, S.RESIDENTIAL, D(2017, 5, 26),
        o("01", "达嘉馨园1号楼楼道党小组", GP, S.BUILDING, D(2017, 10, 12)),
        o("02", "达嘉馨园3号楼楼道党小组", GP, S.BUILDING, D(2017, 10, 12)),
        grid=("达嘉馨园网格", "达嘉馨园"), note="小区治理成为全市典型。"),
      o("02", "金山花园小区党支部", BR, S.RESIDENTIAL, D(2018, 1, 16)),
      regional=True, login="jinshansq"),
    o("03", "高林社区大党委", CM, S.COMMUNITY, D(2007, 12, 20),
      o("01", "高林居住区小区党支部", BR, S.RESIDENTIAL, D(2017, 11, 3)),
      o("02", "金林湾花园返迁临时党支部", TB, S.PROJECT, D(2018, 6, 29),
        project="金林湾花园安置房返迁交房",
        grid=("金林湾花园网格", "金林湾花园"),
        note="全市首家返迁临时党支部，16名返迁户党员带头示范。"),
      regional=True, login="gaolin", note="村改居社区，10多个征迁项目。"),
    o("04", "湖边社区大党委", CM, S.COMMUNITY, D(2007, 12, 20),
      o("01", "湖边花园A区小区党支部", BR, S.RESIDENTIAL, D(2017, 8, 15),
        o("01", "湖边花园A区2号楼楼道党小组", GP, S.BUILDING, D(2018, 4, 10)),
        grid=("湖边花园A区网格", "湖边花园A区")),
      o("02", "湖边花园B区小区党支部", BR, S.RESIDENTIAL, D(2017, 8, 15)),
      regional=True, login="hubian"),
    o("05", "金湖社区大党总支", GB, S.COMMUNITY, D(2009, 5, 12),
      o("01", "金湖花园小区党支部", BR, S.RESIDENTIAL, D(2018, 2, 27),
        o("01", "金湖花园5号楼楼道党小组", GP, S.BUILDING, D(2018, 6, 1))),
      regional=True, login="jinhu"),
    o("06", "林边社区大党总支", GB, S.COMMUNITY, D(2009, 5, 12),
      o("01", "林边花园小区党支部", BR, S.RESIDENTIAL, D(2018, 2, 27)),
      regional=True, login="linbian"),
    o("07", "五缘社区大党委", CM, S.COMMUNITY, D(2011, 8, 22),
      o("01", "五缘湾小区党支部", BR, S.RESIDENTIAL, D(2017, 12, 5)),
      regional=True, login="wuyuan"),
    o("08", "金鼎社区大党总支", GB, S.COMMUNITY, D(2012, 3, 28),
      o("01", "金鼎花园小区党支部", BR, S.RESIDENTIAL, D(2018, 3, 19)),
      regional=True, login="jinding"),
    o("09", "东宅社区大党委", CM, S.COMMUNITY, D(2010, 10, 15),
      o("01", "东宅安置小区党支部", BR, S.RESIDENTIAL, D(2018, 1, 9)),
      regional=True, login="dongzhai", note="村改居社区，东宅旧村改造成片项目所在地。"),
    o("JG", "金山街道机关党支部", BR, S.GOVERNMENT, D(2004, 1, 6)),
    # 调整归并组建的 9 个非公党组织
    o("F01", "厦门万科企业有限公司党总支", GB, S.NON_PUBLIC_ENTERPRISE, D(2016, 7, 1)),
    o("F02", "厦门鼎峰集团有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 6, 18)),
    o("F03", "厦门弘爱医院党总支", GB, S.NON_PUBLIC_ENTERPRISE, D(2017, 3, 21)),
    o("F04", "万科梅沙教育党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2017, 9, 10)),
    o("F05", "金山街道互联网企业联合党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2018, 5, 28),
      note="互联网企业党建工作“百日攻坚行动”中调整归并组建，实现互联网企业党组织全覆盖。"),
    o("F06", "两岸金融中心楼宇企业联合党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2018, 5, 28)),
    o("F07", "金山街道商贸企业联合党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2018, 5, 28),
      note="由撤销的空壳党支部所在企业的党员调整归并组建。"),
    o("F08", "金山街道社会组织联合党支部", BR, S.SOCIAL_ORGANIZATION, D(2016, 11, 8)),
    o("F09", "厦门云启网络科技有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2018, 6, 12)),
    # 撤销云宝商盟等 5 家空壳党支部（先设立，再撤销）
    o("D01", "云宝商盟党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 4, 20)),
    o("D02", "厦门聚点电子商务有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 9, 7)),
    o("D03", "厦门海纳通贸易有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2016, 1, 12)),
    o("D04", "厦门鑫源泰投资咨询有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2016, 3, 30)),
    o("D05", "厦门金点子文化传媒有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2016, 8, 25)),
    regional=True, login="jinshan",
    note="“街道大党工委—社区大党委（大党总支）—小区党支部—楼道党小组”“四位一体”组织体系。",
)
JINSHAN_DISSOLVED = ["D01", "D02", "D03", "D04", "D05"]

# 街道和社区共吸纳 73 个成员单位。located: 01 金安 02 金山 03 高林 04 湖边 05 金湖 06 林边
# 07 五缘 08 金鼎 09 东宅; party: F01–F09 above.
JINSHAN_UNITS = [
    ("厦门万科企业有限公司", U.PRIVATE_COMPANY, "01", "F01",
     "厦门万科党员义工活动中心在金安社区揭牌。"),
    ("厦门农村商业银行金山支行", U.BANK, "02", None, ""),
    ("厦门鼎峰集团有限公司", U.PRIVATE_COMPANY, "01", "F02", ""),
    ("厦门弘爱医院", U.HOSPITAL, "07", "F03", ""),
    ("万科梅沙教育", U.SCHOOL, "07", "F04", ""),
    ("厦门市湖里区地方税务局", U.GOVERNMENT, "02", None, "多媒体会议室向居民开放共享。"),
    ("厦门市湖里区金安小学", U.SCHOOL, "01", None, "多功能厅向居民开放共享。"),
    ("厦门路桥游艇旅游集团有限公司", U.STATE_COMPANY, "07", None, "员工活动室向居民开放共享。"),
    ("厦门市湖里区金山小学", U.SCHOOL, "02", None, "运动场向居民开放共享。"),
    ("中金启融（厦门）股权投资基金管理有限公司", U.STATE_COMPANY, "02", None, ""),
    ("中国建设银行厦门金山支行", U.BANK, "02", None, ""),
    ("中国工商银行厦门五缘湾支行", U.BANK, "07", None, ""),
    ("兴业银行厦门金尚支行", U.BANK, "05", None, ""),
    ("厦门银行高林支行", U.BANK, "03", None, ""),
    ("厦门市公安局湖里分局金山派出所", U.GOVERNMENT, "02", None, ""),
    ("厦门市湖里区市场监督管理局金山所", U.GOVERNMENT, "05", None, ""),
    ("厦门市湖里区消防救援大队金山消防站", U.GOVERNMENT, "06", None, ""),
    ("厦门市湖里区金山街道社区卫生服务中心", U.HOSPITAL, "01", None, ""),
    ("厦门湖里金湖口腔门诊部", U.HOSPITAL, "05", None, ""),
    ("厦门市湖里区金山幼儿园", U.SCHOOL, "02", None, ""),
    ("厦门市湖里区高林中心幼儿园", U.SCHOOL, "03", None, ""),
    ("厦门市湖里区金鼎小学", U.SCHOOL, "08", None, ""),
    ("厦门市湖里区湖边中学", U.SCHOOL, "04", None, ""),
    ("厦门市湖里区图书馆金山分馆", U.PUBLIC_INSTITUTION, "02", None, ""),
    ("国网厦门供电公司湖里金山供电所", U.STATE_COMPANY, "08", None, ""),
    ("中国电信厦门湖里分公司金山营业部", U.STATE_COMPANY, "05", None, ""),
    ("厦门地铁运营有限公司五缘湾站区", U.STATE_COMPANY, "07", None, ""),
    ("厦门市湖里区金山社会工作服务中心", U.SOCIAL_ORGANIZATION, "02", "F08",
     "承接“成长天空”社工项目。"),
    ("厦门市湖里区金哥安妹公益服务中心", U.SOCIAL_ORGANIZATION, "01", "F08",
     "承接“金哥安妹斗阵行”社工项目，运营金哥安妹法律驿站。"),
    ("厦门市湖里区金安义工协会", U.SOCIAL_ORGANIZATION, "01", "F08", ""),
    ("厦门市湖里区四点钟学校公益服务社", U.SOCIAL_ORGANIZATION, "04", "F08", ""),
    ("厦门市湖里区爱心义卖坊公益服务社", U.SOCIAL_ORGANIZATION, "04", None, ""),
    ("厦门市湖里区长者之家养老服务中心", U.SOCIAL_ORGANIZATION, "06", None, ""),
    ("厦门市湖里区五缘湾帆船运动协会", U.SOCIAL_ORGANIZATION, "07", None, ""),
    ("厦门云启网络科技有限公司", U.PRIVATE_COMPANY, "02", "F09", ""),
    ("厦门星链互联网科技有限公司", U.PRIVATE_COMPANY, "02", "F05", ""),
    ("厦门数聚信息技术有限公司", U.PRIVATE_COMPANY, "02", "F05", ""),
    ("厦门蓝海云商网络科技有限公司", U.PRIVATE_COMPANY, "05", "F05", ""),
    ("厦门易行出行科技有限公司", U.PRIVATE_COMPANY, "05", "F05", ""),
    ("厦门智联优选电子商务有限公司", U.PRIVATE_COMPANY, "08", "F05", ""),
    ("厦门海峡融通金融信息服务有限公司", U.PRIVATE_COMPANY, "02", "F06", ""),
    ("厦门金湾资本管理有限公司", U.PRIVATE_COMPANY, "02", "F06", ""),
    ("厦门恒升融资租赁有限公司", U.PRIVATE_COMPANY, "02", "F06", ""),
    ("厦门汇源泰投资有限公司", U.PRIVATE_COMPANY, "05", "F06", ""),
    ("厦门嘉和会计师事务所有限公司", U.PRIVATE_COMPANY, "02", "F06", ""),
    ("厦门鹭岛律师事务所", U.SOCIAL_ORGANIZATION, "02", "F08", ""),
    ("厦门金山商贸有限公司", U.PRIVATE_COMPANY, "09", "F07", ""),
    ("厦门高林建材贸易有限公司", U.PRIVATE_COMPANY, "03", "F07", ""),
    ("厦门东宅物业管理有限公司", U.PRIVATE_COMPANY, "09", "F07", ""),
    ("厦门林边餐饮管理有限公司", U.PRIVATE_COMPANY, "06", "F07", ""),
    ("厦门美家家居用品有限公司", U.PRIVATE_COMPANY, "06", "F07", ""),
    ("厦门湖边花园物业服务有限公司", U.PRIVATE_COMPANY, "04", None, ""),
    ("厦门达嘉物业管理有限公司", U.PRIVATE_COMPANY, "02", None, ""),
    ("厦门金林湾置业有限公司", U.PRIVATE_COMPANY, "03", None, ""),
    ("厦门五缘湾酒店管理有限公司", U.PRIVATE_COMPANY, "07", None, ""),
    ("厦门金尚汽车服务有限公司", U.PRIVATE_COMPANY, "05", None, ""),
    ("厦门鑫盛电子科技有限公司", U.PRIVATE_COMPANY, "08", None, ""),
    ("厦门佳禾生鲜超市有限公司", U.PRIVATE_COMPANY, "08", None, ""),
    ("厦门安岭文化传媒有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("厦门乐学教育咨询有限公司", U.PRIVATE_COMPANY, "04", None, ""),
    ("厦门康宁大药房有限公司金山店", U.PRIVATE_COMPANY, "02", None, ""),
    ("厦门顺达物流有限公司", U.PRIVATE_COMPANY, "09", None, ""),
    ("厦门百味轩餐饮有限公司", U.PRIVATE_COMPANY, "06", None, ""),
    ("厦门宏图装饰工程有限公司", U.PRIVATE_COMPANY, "03", None, ""),
    ("厦门新创意广告有限公司", U.PRIVATE_COMPANY, "05", None, ""),
    ("厦门金鼎健身服务有限公司", U.PRIVATE_COMPANY, "08", None, ""),
    ("厦门优家家政服务有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("厦门启明软件有限公司", U.PRIVATE_COMPANY, "02", None, ""),
    ("厦门海悦酒店管理有限公司", U.PRIVATE_COMPANY, "07", None, ""),
    ("厦门市湖里区金山老年协会", U.SOCIAL_ORGANIZATION, "02", None, ""),
    ("厦门市湖里区金湖社区志愿者协会", U.SOCIAL_ORGANIZATION, "05", None, ""),
    ("厦门市湖里区林边文体协会", U.SOCIAL_ORGANIZATION, "06", None, ""),
    ("厦门市湖里区东宅乡贤理事会", U.SOCIAL_ORGANIZATION, "09", None, ""),
]


# ---- 郑州管城区 陇海马路街道 (seed 002) -----------------------------------------------------

ZHENGZHOU = {
    "prefix": "河南省郑州市管城回族区", "area": "0371", "first": "6", "digits": 8,
    "center": (113.680, 34.745), "spread": 0.008, "building": "{n}号楼",
    "roads": ["陇海东路", "新郑路", "紫荆山南路", "南仓街", "陇海马路", "城东南路", "郑新里街"],
}

LONGHAI = o(
    "ZZ-LHML", "陇海马路街道党工委", WC, S.STREET, D(2000, 3, 15),
    o("01", "新郑路社区党总支", GB, S.COMMUNITY, D(2002, 5, 20),
      o("01", "新郑路113号院党支部", BR, S.RESIDENTIAL, D(2016, 6, 1),
        grid=("新郑路113号院网格", "新郑路113号院")),
      o("02", "新郑路社区离退休党员党支部", BR, S.COMMUNITY, D(2008, 7, 1)),
      login="xinzhenglu", note="“520”党建工作模式；平安示范型党群服务中心。"),
    o("02", "紫薇社区党支部", BR, S.COMMUNITY, D(2003, 4, 16),
      o("01", "紫薇社区第一党小组", GP, S.COMMUNITY, D(2010, 3, 1)),
      o("02", "紫薇社区第二党小组", GP, S.COMMUNITY, D(2010, 3, 1)),
      grid=("紫薇社区第一网格", "紫薇小区"),
      login="ziwei", note="“党建+”工作法；传统文化型党群服务中心。"),
    o("03", "陇海东路第三社区党总支", GB, S.COMMUNITY, D(2002, 5, 20),
      o("01", "陇三社区第一党支部", BR, S.COMMUNITY, D(2009, 6, 18)),
      o("02", "陇三社区第二党支部", BR, S.COMMUNITY, D(2009, 6, 18)),
      login="longsan", note="“五盟共建”党建品牌；“学健游于一体”的惠民服务网。"),
    o("04", "紫荆社区党总支", GB, S.COMMUNITY, D(2004, 8, 9),
      o("01", "紫荆小区党支部", BR, S.RESIDENTIAL, D(2017, 3, 28)),
      grid=("紫荆社区第一网格", "紫荆小区"),
      login="zijing", note="民族团结型党群服务中心。"),
    o("05", "陇海东路第二社区党总支", GB, S.COMMUNITY, D(2002, 5, 20),
      o("01", "陇二社区绿苑党支部", BR, S.RESIDENTIAL, D(2015, 9, 12)),
      login="longer", note="党建“一二三”工作法；绿色环保型党群服务中心，“绿苑”品牌。"),
    o("06", "陇新社区党委", CM, S.COMMUNITY, D(2011, 12, 6),
      o("01", "陇新社区居民第一党支部", BR, S.COMMUNITY, D(2012, 4, 20)),
      o("02", "陇新社区居民第二党支部", BR, S.COMMUNITY, D(2012, 4, 20)),
      login="longxin", note="“新社区、馨服务、心楼宇”；街道楼宇党建指导站设在陇新社区。"),
    o("07", "陇海东路第一社区党总支", GB, S.COMMUNITY, D(2002, 5, 20),
      o("01", "陇海里19号院党支部", BR, S.RESIDENTIAL, D(2016, 10, 11),
        grid=("陇海里19号院网格", "陇海里19号院")),
      o("02", "陇一社区离退休党员党支部", BR, S.COMMUNITY, D(2008, 7, 1)),
      login="longyi", note="“1、3、5、7”党建工作法；温馨养老型党群服务中心，“大爱夕阳”。"),
    o("08", "黄金叶社区党总支", GB, S.COMMUNITY, D(2006, 11, 2),
      o("01", "黄金叶社区第一党支部", BR, S.COMMUNITY, D(2010, 5, 14)),
      o("02", "黄金叶社区第二党支部", BR, S.COMMUNITY, D(2010, 5, 14)),
      login="huangjinye", note="“四驱助力”：党建工作联创、为民服务联办、文体活动联谊、环境卫生联治。"),
    o("09", "郑新里社区党支部", BR, S.COMMUNITY, D(2005, 9, 23),
      o("01", "郑新里社区第一党小组", GP, S.COMMUNITY, D(2011, 2, 15)),
      login="zhengxinli", note="康乐疗工型党群服务中心；党员志愿者服务队。"),
    o("JG", "陇海马路街道机关党支部", BR, S.GOVERNMENT, D(2000, 4, 1)),
    # 隶属街道的非公和社会组织党支部 8 个
    o("F01", "郑州华信通信技术有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2014, 6, 20)),
    o("F02", "河南金盾物业服务有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 3, 11)),
    o("F03", "郑州市管城回族区陇海马路商会党支部", BR, S.SOCIAL_ORGANIZATION, D(2016, 7, 1)),
    o("F04", "郑州豫华商贸有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2013, 9, 27)),
    o("F05", "郑州中原精工机械有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2012, 12, 18)),
    o("F06", "陇海马路街道社区社会组织联合会党支部", BR, S.SOCIAL_ORGANIZATION, D(2017, 4, 25)),
    o("F07", "郑州乐善社会工作服务中心党支部", BR, S.SOCIAL_ORGANIZATION, D(2017, 10, 9)),
    o("F08", "河南兴达建筑装饰工程有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 8, 6)),
    regional=True, login="longhai",
    note="党建工作项目化、清单式管理；区域化党建联合体“七联”工作机制。",
)

LONGHAI_UNITS = [
    ("郑州华信通信技术有限公司", U.PRIVATE_COMPANY, "06", "F01", ""),
    ("河南金盾物业服务有限公司", U.PRIVATE_COMPANY, "01", "F02", ""),
    ("郑州市管城回族区陇海马路商会", U.SOCIAL_ORGANIZATION, "06", "F03", ""),
    ("郑州豫华商贸有限公司", U.PRIVATE_COMPANY, "03", "F04", ""),
    ("郑州中原精工机械有限公司", U.PRIVATE_COMPANY, "05", "F05", ""),
    ("陇海马路街道社区社会组织联合会", U.SOCIAL_ORGANIZATION, "07", "F06", ""),
    ("郑州乐善社会工作服务中心", U.SOCIAL_ORGANIZATION, "04", "F07", ""),
    ("河南兴达建筑装饰工程有限公司", U.PRIVATE_COMPANY, "08", "F08", ""),
    ("郑州市管城回族区陇海马路小学", U.SCHOOL, "05", None, ""),
    ("郑州市管城回族区紫荆山南路幼儿园", U.SCHOOL, "04", None, ""),
    ("陇海马路街道社区卫生服务中心", U.HOSPITAL, "01", None, ""),
    ("中国银行郑州陇海东路支行", U.BANK, "07", None, ""),
    ("郑州市公安局管城分局陇海马路派出所", U.GOVERNMENT, "06", None, ""),
    ("郑州自来水投资控股有限公司管城营业所", U.STATE_COMPANY, "08", None, ""),
    ("郑州新郑路农贸市场管理有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("郑州陇新商务楼宇管理有限公司", U.PRIVATE_COMPANY, "06", None, ""),
    ("郑州黄金叶酒店管理有限公司", U.PRIVATE_COMPANY, "08", None, ""),
    ("郑州郑新里家政服务有限公司", U.PRIVATE_COMPANY, "09", None, ""),
    ("郑州紫薇书画院", U.SOCIAL_ORGANIZATION, "02", None, ""),
    ("郑州阳光养老服务中心", U.SOCIAL_ORGANIZATION, "07", None, ""),
]


# ---- 长春经开区 会展街道 (seed 003) ---------------------------------------------------------

CHANGCHUN = {
    "prefix": "吉林省长春市经济技术开发区", "area": "0431", "first": "8", "digits": 8,
    "center": (125.405, 43.845), "spread": 0.012, "building": "{n}栋",
    "roads": ["会展大街", "自由大路", "东南湖大路", "仙台大街", "临河街", "浦东路", "世纪大街"],
}
HUIZHAN_HOUSEHOLDS = 15_000
_HZ_COMMUNITIES = [  # (name, login, estates of its three grids, established)
    ("博览", "bolan", ["博览苑", "会展花园", "博览新城"], D(2009, 6, 26)),
    ("东湖", "donghu", ["东湖小区", "东湖雅居", "湖畔家园"], D(2009, 6, 26)),
    ("临河", "linhe", ["临河小区", "临河湾", "滨河佳苑"], D(2010, 11, 18)),
    ("新城", "xincheng", ["新城国际", "新城嘉园", "锦绣新城"], D(2013, 5, 9)),
    ("仙台", "xiantai", ["仙台小区", "仙台雅苑", "翰林府"], D(2015, 8, 20)),
]
_ORDINALS = "一二三四五"


def _huizhan_community(index, short, login, estates, established):
    branches = []
    for g, estate in enumerate(estates, start=1):
        grid_name = f"{short}社区第{_ORDINALS[g - 1]}网格"
        groups = [o(f"{k:02d}", f"{grid_name}{k}栋楼道党小组", GP, S.BUILDING,
                    D(established.year + 3, 7, 1)) for k in (1, 2)]
        branches.append(o(f"{g:02d}", f"{grid_name}党支部", BR, S.RESIDENTIAL,
                          D(established.year + 2, 6, 28), *groups, grid=(grid_name, estate)))
    return o(f"{index:02d}", f"{short}社区党委", CM, S.COMMUNITY, established, *branches,
             regional=True, login=login, note="社区“大党委”，设党建工作指导站。")


HUIZHAN = o(
    "CC-HZ", "会展街道党工委", WC, S.STREET, D(2008, 9, 1),
    *[_huizhan_community(i, *c) for i, c in enumerate(_HZ_COMMUNITIES, start=1)],
    o("JG", "会展街道机关党支部", BR, S.GOVERNMENT, D(2008, 10, 8)),
    o("F01", "长春博文物业服务有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2014, 5, 16),
      note="牵头博文物业党建联合体。"),
    o("F02", "281志愿者服务中心党支部", BR, S.SOCIAL_ORGANIZATION, D(2016, 3, 5)),
    o("F03", "长春骨伤医院党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2012, 7, 1),
      note="设长春骨伤医院党员之家。"),
    o("F04", "会展街道非公企业联合党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2015, 6, 30)),
    o("F05", "会展街道社会组织联合党支部", BR, S.SOCIAL_ORGANIZATION, D(2016, 6, 30)),
    o("F06", "长春汇智科技有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2017, 4, 18)),
    o("F07", "吉林省鑫源汽车零部件有限公司党支部", BR, S.NON_PUBLIC_ENTERPRISE, D(2013, 10, 22)),
    regional=True, login="huizhan",
    note="“红驿舫”党建联盟：街道“大工委”+社区“大党委”；社区党组织+网格党支部+楼道党小组三级架构，"
         "“一格五员”协同管理。",
)

HUIZHAN_UNITS = [
    ("九台农商银行会展支行", U.BANK, "01", None, "开设九台农商党群服务站。"),
    ("长春博文物业服务有限公司", U.PRIVATE_COMPANY, "02", "F01", "博文物业党建联合体。"),
    ("长春市281志愿者服务中心", U.SOCIAL_ORGANIZATION, "01", "F02", ""),
    ("长春骨伤医院", U.HOSPITAL, "03", "F03", "长春骨伤医院党员之家。"),
    ("长春汇智科技有限公司", U.PRIVATE_COMPANY, "04", "F06", ""),
    ("吉林省鑫源汽车零部件有限公司", U.PRIVATE_COMPANY, "05", "F07", ""),
    ("长春国际会展中心有限公司", U.STATE_COMPANY, "01", None, ""),
    ("长春经开区会展小学", U.SCHOOL, "01", None, ""),
    ("长春经开区博览中学", U.SCHOOL, "01", None, ""),
    ("长春经开区东湖幼儿园", U.SCHOOL, "02", None, ""),
    ("长春经开区临河小学", U.SCHOOL, "03", None, ""),
    ("长春市公安局经开分局会展派出所", U.GOVERNMENT, "01", None, ""),
    ("长春经开区市场监督管理局会展所", U.GOVERNMENT, "04", None, ""),
    ("长春经开区会展街道社区卫生服务中心", U.HOSPITAL, "02", None, ""),
    ("中国建设银行长春会展支行", U.BANK, "01", None, ""),
    ("中国邮政储蓄银行长春东湖支行", U.BANK, "02", None, ""),
    ("国网长春供电公司经开供电中心", U.STATE_COMPANY, "04", None, ""),
    ("中国移动吉林公司长春经开营业厅", U.STATE_COMPANY, "05", None, ""),
    ("长春百汇超市有限公司", U.PRIVATE_COMPANY, "02", "F04", ""),
    ("长春鑫诚建筑工程有限公司", U.PRIVATE_COMPANY, "03", "F04", ""),
    ("长春益康大药房连锁有限公司会展店", U.PRIVATE_COMPANY, "01", "F04", "医药超市公益服务项目。"),
    ("长春洁美环卫服务有限公司", U.PRIVATE_COMPANY, "04", "F04", "环卫驿站公益服务项目。"),
    ("长春信达律师事务所", U.SOCIAL_ORGANIZATION, "01", "F05", "义务法律服务。"),
    ("长春市会展社区养老服务中心", U.SOCIAL_ORGANIZATION, "05", "F05", ""),
    ("长春市爱心帮扶协会", U.SOCIAL_ORGANIZATION, "03", "F05", "爱心帮扶公益服务项目。"),
    ("长春经开区青年志愿者协会", U.SOCIAL_ORGANIZATION, "02", None, ""),
    ("长春东湖印务有限公司", U.PRIVATE_COMPANY, "02", None, ""),
    ("长春新城房地产开发有限公司", U.PRIVATE_COMPANY, "04", None, ""),
    ("长春仙台餐饮管理有限公司", U.PRIVATE_COMPANY, "05", None, ""),
    ("长春博远物流有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("长春瑞丰汽车销售服务有限公司", U.PRIVATE_COMPANY, "05", None, ""),
    ("长春明德教育咨询有限公司", U.PRIVATE_COMPANY, "04", None, ""),
    ("长春金诺电子科技有限公司", U.PRIVATE_COMPANY, "03", "F04", ""),
    ("长春华信广告传媒有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("长春安泰保安服务有限公司", U.PRIVATE_COMPANY, "03", None, ""),
    ("长春绿源园林绿化工程有限公司", U.PRIVATE_COMPANY, "04", "F04", ""),
    ("长春宏达机械制造有限公司", U.PRIVATE_COMPANY, "05", "F04", ""),
    ("长春天成软件有限公司", U.PRIVATE_COMPANY, "01", None, ""),
    ("长春丰禾农产品贸易有限公司", U.PRIVATE_COMPANY, "02", None, ""),
    ("长春家和家政服务有限公司", U.PRIVATE_COMPANY, "03", None, ""),
    ("长春康泰口腔门诊部", U.HOSPITAL, "04", None, ""),
    ("长春临河酒店管理有限公司", U.PRIVATE_COMPANY, "03", None, ""),
    ("长春光华健身服务有限公司", U.PRIVATE_COMPANY, "05", None, ""),
    ("长春经开区书法家协会", U.SOCIAL_ORGANIZATION, "04", None, ""),
    ("长春市会展街道商会", U.SOCIAL_ORGANIZATION, "01", "F05", ""),
    ("长春启航职业技能培训学校", U.SOCIAL_ORGANIZATION, "02", None, ""),
]

STREETS = [
    {"tree": JINSHANQIAO, "city": XUZHOU, "units": JINSHANQIAO_UNITS},
    {"tree": JINSHAN, "city": XIAMEN, "units": JINSHAN_UNITS, "dissolve": JINSHAN_DISSOLVED},
    {"tree": LONGHAI, "city": ZHENGZHOU, "units": LONGHAI_UNITS},
    {"tree": HUIZHAN, "city": CHANGCHUN, "units": HUIZHAN_UNITS,
     "households": HUIZHAN_HOUSEHOLDS},
]
STREET_CODES = [street["tree"]["suffix"] for street in STREETS]

# Accounts that are not staff at an organisation of the trees above.
# (username, role, org code or None, unit code or None)
OTHER_ACCOUNTS = [
    ("wangge", "grid_staff", "CC-HZ-01-01", None),
    ("zhibu", "branch_committee", "CC-HZ-01-01", None),
    ("liaison", "unit_liaison", None, "CC-HZ-U02"),
    ("member", "member", "CC-HZ-01-01", None),
    ("resident", "resident", "CC-HZ-01", None),
    ("sysadmin", "sys_admin", None, None),
    ("secadmin", "sec_admin", None, None),
    ("auditadmin", "audit_admin", None, None),
]


# ---- fictional people ---------------------------------------------------------------------

_SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
             "苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
             "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
_GIVEN_BY_SEX = {
    "男": ("伟 强 磊 军 洋 勇 杰 涛 明 超 刚 斌 鹏 辉 峰 亮 建国 志强 晓东 志刚 晓明 俊杰 宇航 "
          "浩然 思远 明辉 海峰 永强 建军 志华 立新 卫东 国华 振华 家豪 一鸣 博文 志远 平 华 建华").split(),
    "女": ("芳 娜 敏 静 丽 艳 娟 霞 玲 燕 红 秀英 桂英 玉兰 海燕 丽华 红梅 春燕 子涵 欣怡 雨桐 "
          "佳怡 晓燕 丽娟 桂兰 秀兰 淑珍 文静 婷婷 晓红 雪梅 金凤 梦瑶 诗涵 文华").split(),
}
_GIVEN = _GIVEN_BY_SEX["男"] + _GIVEN_BY_SEX["女"]
# The people the reports name stay out of the demo.
_REAL_NAMES = {"陆素雯", "张海龙", "徐森", "姚向芹", "王梅", "林急", "张华娟", "吴秀丹", "陈慧",
               "黄劲超", "林君", "李榕梅", "柴琳琳", "张茹", "刘作霖", "王琳婷", "魏桃"}


def _moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


class _Builder:
    def __init__(self, stdout=None):
        self.rng = random.Random(SEED)
        self.stdout = stdout
        self.roles = list(GridRole.objects.filter(active=True).order_by("order", "id"))
        self.orgs: dict[str, Organization] = {}
        self.units: dict[str, Unit] = {}
        self.logins: list[tuple[str, str, Organization]] = []  # (username, role, org)
        self.used_names: set[str] = set()

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text)

    def person(self, sex=None):
        """A fictional name, fitting `sex` when it is known."""
        given = _GIVEN_BY_SEX.get(sex, _GIVEN)
        while True:
            name = self.rng.choice(_SURNAMES) + self.rng.choice(given)
            if name not in _REAL_NAMES and name not in self.used_names:
                self.used_names.add(name)
                return name

    def phone(self, city):
        rest = city["digits"] - 1
        tail = f"{self.rng.randrange(10 ** (rest - 1), 10 ** rest)}"
        return f"{city['area']}-{city['first']}{tail}"

    def address(self, city, estate=""):
        road = self.rng.choice(city["roads"])
        return f"{city['prefix']}{road}{self.rng.randint(1, 399)}号{estate}"

    def point(self, city):
        lng, lat = city["center"]
        spread = city["spread"]
        q = Decimal("0.000001")
        return (Decimal(str(lng + self.rng.uniform(-spread, spread))).quantize(q),
                Decimal(str(lat + self.rng.uniform(-spread, spread))).quantize(q))

    # -- organisations --

    def tree(self, spec, parent=None):
        code = spec["suffix"] if parent is None else f"{parent.code}-{spec['suffix']}"
        org = services.create_organization(
            user=None, parent=parent, code=code, name=spec["name"], kind=spec["kind"],
            sector=spec["sector"], established_on=spec["established"],
            is_regional=spec["regional"], project_name=spec["project"], note=spec["note"])
        # The history shows when the organisation was really set up, not when the demo ran.
        OrgEvent.objects.filter(org=org, step="established").update(
            at=_moment(spec["established"]))
        self.orgs[code] = org
        if spec["login"]:
            role = "street_staff" if parent is None else "community_staff"
            self.logins.append((spec["login"], role, org))
        for child in spec["children"]:
            self.tree(child, org)
        return org

    def dissolve(self, org, on, reason):
        """`services.dissolve_organization` needs a user in scope (require_scope refuses None),
        so the demo writes what it would: the date, the reason, and the history line."""
        org = Organization.objects.get(pk=org.pk)
        org.dissolved_on = on
        org.dissolution_reason = reason
        org.full_clean(exclude=["path", "depth", "numchild"])
        org.save()
        record_event(org, "dissolved", at=_moment(on), text=f"撤销：{reason}")
        self.orgs[org.code] = org

    # -- grids and buildings --

    def grids(self, street, root_spec):
        owners = []

        def walk(spec, code):
            if spec["grid"]:
                owners.append((self.orgs[code], spec))
            for child in spec["children"]:
                walk(child, f"{code}-{child['suffix']}")

        walk(root_spec, root_spec["suffix"])
        city = street["city"]
        total = street.get("households")
        grid_totals = self.split(total, len(owners), 0.85) if total else [None] * len(owners)
        for (org, spec), grid_total in zip(owners, grid_totals, strict=True):
            grid_name, estate = spec["grid"]
            grid = Grid(code=f"{org.code}-G", name=grid_name, org=org,
                        note=f"{estate}，网格党支部：{org.name}")
            grid.full_clean()
            grid.save()
            record_event(org, "grid_added", at=_moment(org.established_on),
                         text=f"新设网格“{grid.name}”")
            since = D(self.rng.choice((2021, 2022, 2023)), self.rng.randint(1, 12), 1)
            for role in self.roles:
                post = GridPost(grid=grid, role=role, holder_name=self.person(), since=since)
                post.full_clean()
                post.save()
            if grid_total is None:
                count = self.rng.randint(3, 6)
                households = [self.rng.randint(24, 160) for _ in range(count)]
            else:
                households = self.split(grid_total, self.rng.randint(8, 12), 0.7)
            road_address = self.address(city, estate)
            for n, count in enumerate(households, start=1):
                per_floor = self.rng.choice((2, 3, 4, 6))
                floors = max(5, min(32, round(count / per_floor)))
                name = city["building"].format(n=n)
                building = Building(grid=grid, name=name, address=f"{road_address}{name}",
                                    floors=floors, households=count)
                building.full_clean()
                building.save()

    def split(self, total, parts, low):
        """`total` as `parts` positive whole numbers around the mean, summing exactly."""
        weights = [self.rng.uniform(low, 2 - low) for _ in range(parts)]
        scale = total / sum(weights)
        shares = [int(w * scale) for w in weights]
        shares[-1] += total - sum(shares)
        return shares

    # -- units --

    def add_units(self, street):
        root = street["tree"]["suffix"]
        city = street["city"]
        for n, (name, unit_type, located, party, note) in enumerate(street["units"], start=1):
            lng, lat = self.point(city)
            unit = Unit(
                code=f"{root}-U{n:02d}", name=name, unit_type=unit_type,
                org=self.orgs[f"{root}-{located}" if located else root],
                party_org=self.orgs[f"{root}-{party}"] if party else None,
                address=self.address(city), lng=lng, lat=lat,
                contact_name=self.person(), contact_phone=self.phone(city), note=note)
            unit.full_clean()
            unit.save()
            self.units[unit.code] = unit

    # -- accounts --

    def accounts(self):
        password_hash = make_password(DEMO_PASSWORD)  # one hash: PBKDF2 per account is slow
        rows = [(username, role, org, None) for username, role, org in self.logins]
        rows += [(username, role, self.orgs[org] if org else None,
                  self.units[unit] if unit else None)
                 for username, role, org, unit in OTHER_ACCOUNTS]
        result = []
        for username, role, org, unit in rows:
            user = User.objects.create_user(username, password=None,
                                            display_name=self.person())
            password_validation.validate_password(DEMO_PASSWORD, user)
            user.password = password_hash
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password", "password_changed_at"])
            grant = RoleGrant(user=user, role=role, org=org, unit=unit)
            grant.full_clean()
            grant.save()
            if unit is not None:
                org_code = (unit.party_org or unit.org).code
            else:
                org_code = org.code if org else None
            result.append({"username": username, "password": DEMO_PASSWORD, "role": role,
                           "org_code": org_code, "unit_code": unit.code if unit else None,
                           "display_name": user.display_name})
        return result


# Each capability adds its demo records to the streets just built, in this order.
def build_demo(stdout=None) -> list[dict]:
    """Build the four streets and the demo accounts; return the accounts (with password)."""
    with audit.acting_as(suppress=True), transaction.atomic():
        services.ensure_default_grid_roles()
        builder = _Builder(stdout)
        for street in STREETS:
            root = builder.tree(street["tree"])
            for suffix in street.get("dissolve", ()):
                builder.dissolve(builder.orgs[f"{root.code}-{suffix}"], _SHELL_DISSOLVED,
                                 _SHELL_REASON)
            builder.grids(street, street["tree"])
            builder.add_units(street)
            builder.say(f"已建立 {root.name}")
        accounts = builder.accounts()
        build_people(builder)
        for module in demo_modules():
            importlib.import_module(module).build(builder)
        # The people step may have renamed an account after the member it is linked to.
        names = dict(User.objects.filter(username__in=[a["username"] for a in accounts])
                     .values_list("username", "display_name"))
        for account in accounts:
            account["display_name"] = names[account["username"]]
        SiteSetting.put("demo", timezone.localdate().isoformat())
    return accounts


def summary() -> list[dict]:
    """What the four demo streets hold, counted from the database (for the command's report)."""
    rows = []
    for code in STREET_CODES:
        root = Organization.objects.filter(code=code).first()
        if root is None:
            continue
        below = Organization.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        grids = Grid.objects.filter(org__path__startswith=root.path)
        households = Building.objects.filter(grid__org__path__startswith=root.path).aggregate(
            n=Sum("households"))["n"] or 0
        rows.append({
            "code": code, "name": root.name,
            "orgs": below.active().count(), "dissolved": below.filter(
                dissolved_on__isnull=False).count(),
            "grids": grids.count(), "households": households,
            "units": Unit.objects.filter(org__path__startswith=root.path).count(),
        })
    return rows
