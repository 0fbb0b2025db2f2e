from django.core.management.base import BaseCommand, CommandError

from gongjian.demo.synth import SCALES, build_city, check_tree
from gongjian.demo.synth_dues import build_dues, dues_present
from gongjian.demo.synth_members import build_members, members_present
from gongjian.demo.synth_orglife import build_orglife, orglife_present
from gongjian.demo.synth_volunteer import build_volunteer, volunteer_present
from gongjian.orgs.choices import OrgKind
from gongjian.orgs.models import Organization


class Command(BaseCommand):
    help = ("建立一座合成城市（30,085 个党组织，另设一个根节点；544,000 名党员及各社区班子；"
            "各党支部当年的组织生活；一年的志愿服务）用于性能测试；--scale small 约为其 1/50，用于快速检查。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="city",
                            help="city：30,085 个党组织；small：约 1/50。")
        parser.add_argument("--if-missing", action="store_true",
                            help="同编码的合成城市已存在时跳过，不报错"
                                 "（城市已存在而尚无党员或组织生活时，只补建缺少的部分）。")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）。")
        parser.add_argument("--full-check", action="store_true",
                            help="用 treebeard 的 find_problems 检查整棵合成树（较慢）。")
        parser.add_argument("--no-members", action="store_true",
                            help="只建组织、网格和单位，不生成党员和班子（也不生成组织生活）。")
        parser.add_argument("--no-orglife", action="store_true",
                            help="不生成各党支部的组织生活（会议、出席、补学）。")
        parser.add_argument("--no-volunteer", action="store_true",
                            help="不生成志愿服务（志愿者、服务队、活动、签到和服务记录）。")

    def handle(self, *args, scale, if_missing, seed, full_check, no_members, no_orglife,
               no_volunteer, **options):
        spec = SCALES[scale]
        root = Organization.objects.filter(code=spec.code).first()
        if root is not None:
            if not if_missing:
                raise CommandError(f"合成城市 {spec.code} 已存在（加 --if-missing 可跳过）。")
            if no_members:
                self.stdout.write(f"合成城市 {spec.code} 已存在，跳过。")
                return
            missing = False
            if not members_present(root):
                self.stdout.write(f"合成城市 {spec.code} 已存在，尚无党员，补建党员和班子。")
                self._members(root, spec, seed)
                missing = True
            if not no_orglife and not orglife_present(root):
                self.stdout.write(f"合成城市 {spec.code} 尚无组织生活，补建。")
                self._orglife(root, seed)
                missing = True
            if not no_volunteer and not volunteer_present(root):
                self.stdout.write(f"合成城市 {spec.code} 尚无志愿服务，补建。")
                self._volunteer(root, seed)
                missing = True
            if not dues_present(root):
                self.stdout.write(f"合成城市 {spec.code} 尚无党费，补建。")
                self._dues(root, seed)
                missing = True
            if not missing:
                self.stdout.write(f"合成城市 {spec.code} 已存在，跳过。")
            return

        summary = build_city(scale, seed=seed, log=lambda line: self.stderr.write(line))
        kinds = "，".join(f"{OrgKind(k).label} {n}" for k, n in sorted(
            summary["kinds"].items(), key=lambda item: -item[1]))
        depths = "，".join(f"第{d}层 {n}" for d, n in summary["depths"].items())
        self.stdout.write(self.style.SUCCESS(
            f"已建立合成城市“{summary['name']}”（{summary['code']}，路径 {summary['root_path']}），"
            f"用时 {summary['seconds']} 秒。"))
        self.stdout.write(f"  党组织 {summary['organizations']} 个：{kinds}")
        self.stdout.write(f"  层级：{depths}")
        self.stdout.write(f"  网格 {summary['grids']} 个，楼栋 {summary['buildings']} 栋，"
                          f"{summary['households']} 户")
        self.stdout.write(f"  驻区单位 {summary['units']} 个（两新组织 {summary['non_public_units']}"
                          f" 个），已建党组织的 {summary['units_with_party_org']} 个")
        self.stdout.write(f"  账户 {summary['city_user']} / {summary['city_password']}"
                          f"（街道党建办，全市）")
        self.stdout.write(f"  账户 {summary['street_user']} / {summary['street_password']}"
                          f"（街道党建办，{summary['street_code']}）")

        root = Organization.objects.get(code=spec.code)
        result = check_tree(root, full=full_check)
        problems = [ids for ids in result["python"] + result["treebeard"] if ids]
        expected = spec.total - 1
        if problems or result["descendants"] != expected:
            raise CommandError(
                f"树结构检查未通过：下级 {result['descendants']} 个（应为 {expected}），"
                f"问题 {result['python']} / treebeard {result['treebeard']}")
        self.stdout.write(
            f"  树结构检查通过：下级 {result['descendants']} 个，treebeard find_problems"
            f"（{result['treebeard_checked']} 子树）无问题。")
        if not no_members:
            self._members(root, spec, seed)
            if not no_orglife:
                self._orglife(root, seed)
            if not no_volunteer:
                self._volunteer(root, seed)
            self._dues(root, seed)

    def _dues(self, root, seed):
        summary = build_dues(root, seed=seed, log=lambda line: self.stderr.write(line))
        self.stdout.write(self.style.SUCCESS(
            f"已生成党费：账户 {summary['accounts']:,} 个，交纳 {summary['payments']:,} 笔，"
            f"明细 {summary['rows']:,} 行（欠缴 {summary['behind'] + summary['lapsed']:,} 人，"
            f"其中连续六个月以上 {summary['lapsed']:,} 人；补交 {summary['makeups']:,} 笔），"
            f"用时 {summary['seconds']} 秒。"))

    def _members(self, root, spec, seed):
        summary = build_members(root, spec.members, seed=seed,
                                log=lambda line: self.stderr.write(line))
        self.stdout.write(self.style.SUCCESS(
            f"已生成党员 {summary['members']:,} 名（{summary['branches']:,} 个党支部），"
            f"用时 {summary['seconds']} 秒。"))
        self.stdout.write(
            f"  预备党员 {summary['probationary']:,} 名（{summary['probationary_share']}%），"
            f"女党员 {summary['female_share']}%，大专及以上 {summary['college_share']}%，"
            f"不同姓名 {summary['distinct_names']:,} 个")
        self.stdout.write(
            f"  社区 {summary['communities']:,} 个，班子 {summary['teams']:,} 届"
            f"（2018 年届、2021 年换届），班子成员 {summary['seats']:,} 人次，"
            f"现任 {summary['current_seats']:,} 人")
        steps = "，".join(f"{step} {seconds}" for step, seconds in summary["timings"].items())
        self.stdout.write(f"  各步用时（秒）：{steps}")

    def _orglife(self, root, seed):
        summary = build_orglife(root, seed=seed, log=lambda line: self.stderr.write(line))
        self.stdout.write(self.style.SUCCESS(
            f"已生成组织生活：{summary['branches']:,} 个党支部至 {summary['today']} 的会议 "
            f"{summary['meetings']:,} 次（已召开 {summary['held']:,}，计划 {summary['planned']:,}，"
            f"取消 {summary['cancelled']:,}），用时 {summary['seconds']} 秒。"))
        self.stdout.write(
            f"  出席记录 {summary['attendance']:,} 条，补学 {summary['makeups']:,} 条"
            f"（未完成 {summary['makeups_open']:,}），评议等次 {summary['appraisals']:,} 条，"
            f"表决 {summary['votes']:,} 次；支部委员会 {summary['committees']:,} 个"
            f"（委员 {summary['committee_seats']:,} 人）")
        profiles = summary["profiles"]
        self.stdout.write(
            f"  支部：齐全 {profiles['complete']:,}，缺少个别项目 {profiles['patchy']:,}，"
            f"缺项较多 {profiles['lax']:,}，一个季度未开展活动 {profiles['hollow']:,}")
        steps = "，".join(f"{step} {seconds}" for step, seconds in summary["timings"].items())
        self.stdout.write(f"  各步用时（秒）：{steps}")
        if summary["sizes"]:
            sizes = "，".join(f"{table} {size}" for table, size in summary["sizes"].items())
            self.stdout.write(f"  表大小：{sizes}")

    def _volunteer(self, root, seed):
        summary = build_volunteer(root, seed=seed, log=lambda line: self.stderr.write(line))
        self.stdout.write(self.style.SUCCESS(
            f"已生成志愿服务：{summary['streets']:,} 个街道至 {summary['today']} 的一年，"
            f"志愿者 {summary['volunteers']:,} 名，服务队 {summary['teams']:,} 支，"
            f"活动 {summary['activities']:,} 次（全城清洁 {summary['cleanings']:,} 次），"
            f"用时 {summary['seconds']} 秒。"))
        self.stdout.write(
            f"  报名 {summary['signups']:,} 条，签到 {summary['checkins']:,} 次，"
            f"服务记录 {summary['records']:,} 条；已公示 {summary['published']:,}、"
            f"已审核 {summary['reviewed']:,}、已结束 {summary['ended']:,}、"
            f"招募中 {summary['recruiting']:,}、已取消 {summary['cancelled']:,}")
        steps = "，".join(f"{step} {seconds}" for step, seconds in summary["timings"].items())
        self.stdout.write(f"  各步用时（秒）：{steps}")
        if summary["sizes"]:
            sizes = "，".join(f"{table} {size}" for table, size in summary["sizes"].items())
            self.stdout.write(f"  表大小：{sizes}")
