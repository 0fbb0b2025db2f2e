"""`demo`: build the four demonstration streets and list their accounts."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongjian.core.access import ROLE_LABELS
from gongjian.demo.build import build_demo, summary
from gongjian.orgs.models import Organization


class Command(BaseCommand):
    help = "建立四个街道（金山桥、金山、陇海马路、会展）的演示数据，并写出演示账户清单。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="库中已有党组织时不建立演示数据，只重新列出演示账户。")

    def handle(self, *args, if_empty=False, **options):
        path = settings.VAR_DIR / "demo-accounts.json"
        if Organization.objects.exists():
            if not if_empty:
                raise CommandError("数据库中已有党组织，演示数据只能建在空库上"
                                   "（加 --if-empty 可跳过并列出演示账户）。")
            self.stdout.write("数据库中已有党组织，未建立演示数据。")
            if not path.exists():
                self.stdout.write(f"演示账户清单 {path} 不存在（这些数据可能不是由 demo 命令建立的）。")
                return
            self.print_accounts(json.loads(path.read_text(encoding="utf-8")), path)
            return

        accounts = build_demo(stdout=self.stdout)
        path.write_text(json.dumps(accounts, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        path.chmod(0o600)
        rows = summary()
        self.stdout.write(self.style.SUCCESS(f"演示数据已建立：{len(rows)} 个街道。"))
        for row in rows:
            dissolved = f"（另有已撤销 {row['dissolved']} 个）" if row["dissolved"] else ""
            self.stdout.write(
                f"  {row['name']}（{row['code']}）：下级党组织 {row['orgs']} 个{dissolved}，"
                f"网格 {row['grids']} 个，{row['households']:,} 户，驻区单位 {row['units']} 个")
        self.stdout.write(
            f"  合计：党组织 {sum(r['orgs'] for r in rows) + len(rows)} 个（含街道党工委），"
            f"网格 {sum(r['grids'] for r in rows)} 个，"
            f"{sum(r['households'] for r in rows):,} 户，"
            f"驻区单位 {sum(r['units'] for r in rows)} 个，账户 {len(accounts)} 个")
        self.print_accounts(accounts, path)

    def print_accounts(self, accounts, path):
        self.stdout.write(f"演示账户（{len(accounts)} 个，清单见 {path}）：")
        width = max((len(a["username"]) for a in accounts), default=8)
        for account in accounts:
            role = ROLE_LABELS.get(account["role"], account["role"])
            where = account.get("org_code") or "平台"
            if account.get("unit_code"):
                where = f"{account['unit_code']}（{where}）"
            self.stdout.write(
                f"  {account['username']:<{width}}  {account['password']}  {role}  {where}"
                f"  {account.get('display_name') or ''}")
