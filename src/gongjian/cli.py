"""`gongjian` — the platform's command line (服务器端命令).

    gongjian serve        启动网站（多线程 WSGI 服务器，并启动一个后台任务进程）
    gongjian worker       运行后台任务进程（大文件导入等）
    gongjian migrate      建立或升级数据库
    gongjian demo         生成四个街道的演示数据
    gongjian synth        生成城市规模的合成数据（性能测试用）
    gongjian remind       发送到期与逾期提醒（serve 运行时每小时自动执行）
    gongjian street       设立一个街道党工委（顶层组织）
    gongjian createadmin  创建平台管理员账户（系统/安全/审计管理员）
    gongjian backup       备份数据库和上传文件到一个文件
    gongjian restore      从备份文件恢复
    gongjian manage ...   其他 Django 管理命令
"""

import argparse
import os
import signal
import sys


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    import django

    django.setup()


def _call(name, *args):
    from django.core.management import call_command

    call_command(name, *args)


def _uses_db_worker():
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def _die_with_parent():
    """In the child: ask Linux to end it when the parent dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_worker():
    import subprocess

    # --quiet: serve's own line already says the worker started.
    command = [sys.executable, "-m", "gongjian.cli", "worker", "--quiet"]
    kwargs = {"preexec_fn": _die_with_parent} if sys.platform.startswith("linux") else {}
    return subprocess.Popen(command, **kwargs)  # noqa: S603 - our own interpreter and module


def _stop_worker(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except Exception:  # noqa: BLE001 - a stuck worker is killed
        process.kill()
        process.wait()


def _sweep_reminders_hourly():
    """Reminders go out while the site runs; their keys make each one go out only once."""
    import threading
    import time

    def loop():
        from django.db import connection

        from gongjian.core.reminders import run_sweeps

        while True:
            try:
                run_sweeps()
            except Exception as error:  # noqa: BLE001 - a failed sweep must not stop the site
                print(f"提醒发送失败：{error}", file=sys.stderr, flush=True)
            finally:
                connection.close()
            time.sleep(3600)

    threading.Thread(target=loop, name="reminders", daemon=True).start()


def cmd_serve(args):
    _django()
    from waitress import serve

    from gongjian.wsgi import application

    worker = None
    if not args.no_worker and _uses_db_worker():
        worker = _start_worker()
    if not args.no_reminders:
        _sweep_reminders_hourly()
    # SIGTERM (service managers) unwinds like Ctrl+C, so the worker is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    print(f"共建 已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）"
          + ("，后台任务进程已启动" if worker else ""), flush=True)
    try:
        serve(application, host=args.host, port=args.port, threads=args.threads,
              ident="gongjian", clear_untrusted_proxy_headers=True)
    finally:
        _stop_worker(worker)


def cmd_worker(args):
    _django()
    if not _uses_db_worker():
        print("当前配置的后台任务后端不使用数据库队列，无需运行 worker。")
        return
    if not args.quiet:
        print("后台任务进程已启动（Ctrl+C 停止）。", flush=True)
    _call("db_worker", "--queue-name=*", "--no-reload", f"--interval={args.interval}",
          *(["--batch"] if args.batch else []))


def cmd_migrate(args):
    _django()
    _call("migrate", "--no-input", "-v", "0")
    print("数据库已就绪。")


def cmd_demo(args):
    _django()
    _call("demo", *(["--if-empty"] if args.if_empty else []))


def cmd_synth(args):
    _django()
    _call("synth", "--scale", args.scale, *(["--if-missing"] if args.if_missing else []),
          *(["--no-members"] if args.no_members else []))


def cmd_remind(args):
    _django()
    import datetime

    from gongjian.core.reminders import run_sweeps

    today = datetime.date.fromisoformat(args.date) if args.date else None
    sent = run_sweeps(today)
    print("；".join(f"{name} {count}" + (" 条" if isinstance(count, int) else "")
                   for name, count in sent.items()) or "没有提醒项目。")


def cmd_street(args):
    _django()
    from gongjian.core import audit
    from gongjian.core.services import DomainError
    from gongjian.orgs.services import create_organization

    try:
        with audit.acting_as(None, None):
            org = create_organization(user=None, parent=None, code=args.code, name=args.name,
                                      kind="working_committee", sector="street",
                                      is_regional=args.regional)
    except DomainError as error:
        sys.exit(f"未设立：{error.message}")
    print(f"已设立 {org.name}（{org.code}）。请由安全管理员为街道党建办账户授权。")


def cmd_createadmin(args):
    _django()
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from gongjian.core.models import RoleGrant, User

    if User.objects.filter(username=args.username).exists():
        sys.exit(f"账户“{args.username}”已存在。")
    password = args.password or os.environ.get("GONGJIAN_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("密码：")
    user = User(username=args.username, display_name=args.name or args.username)
    try:
        validate_password(password, user)
    except ValidationError as error:
        sys.exit("密码不符合要求：" + " ".join(error.messages))
    user.set_password(password)
    user.save()
    RoleGrant.objects.create(user=user, role=args.role)
    print(f"已创建 {args.username}（{dict(sys_admin='系统管理员', sec_admin='安全管理员', audit_admin='审计管理员')[args.role]}）。")


def cmd_backup(args):
    _django()
    from gongjian.core.backup import BackupError, create_backup, describe

    try:
        path, manifest = create_backup(args.dir)
    except BackupError as error:
        sys.exit(f"备份失败：{error}")
    print(f"已备份：{path}（{describe(manifest)}）。")
    print("请把备份文件复制到另一台机器或介质上保存；密钥环（var/keys/keyring.json）另行保管，"
          "不要与备份放在一起。")


def cmd_restore(args):
    _django()
    from gongjian.core.backup import BackupError, describe, restore_backup

    try:
        manifest = restore_backup(args.file, force=args.force)
    except BackupError as error:
        sys.exit(f"未恢复：{error}")
    print(f"已恢复{describe(manifest)}；各表行数与备份一致。")


def cmd_manage(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongjian manage", *args.rest])


def build_parser():
    parser = argparse.ArgumentParser(
        prog="gongjian", description="共建：区域化党建共建平台 (regional party-building platform)")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    p = sub.add_parser("serve", help="启动网站 / serve the site")
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="监听地址")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)), help="端口")
    p.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", 8)),
                   help="工作线程数")
    p.add_argument("--no-worker", action="store_true",
                   help="不启动后台任务进程（另行运行 gongjian worker 时使用）")
    p.add_argument("--no-reminders", action="store_true", help="不在后台发送到期提醒")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="运行后台任务进程 / run the background task worker")
    p.add_argument("--interval", type=float, default=1.0, help="无任务时的轮询间隔（秒）")
    p.add_argument("--batch", action="store_true", help="处理完现有任务后退出")
    p.add_argument("--quiet", action="store_true", help="不显示启动提示（由 serve 启动时使用）")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="建立或升级数据库 / create or upgrade the database")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="生成四个街道的演示数据 / build the demo of four streets")
    p.add_argument("--if-empty", action="store_true", help="数据库已有组织时不再生成")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("synth", help="生成合成城市数据 / build a synthetic city")
    p.add_argument("--scale", choices=["city", "small"], default="city")
    p.add_argument("--if-missing", action="store_true", help="已存在时跳过")
    p.add_argument("--no-members", action="store_true", help="只生成组织，不生成党员")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("remind", help="发送到期与逾期提醒 / send due and overdue reminders")
    p.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")
    p.set_defaults(func=cmd_remind)

    p = sub.add_parser("street", help="设立街道党工委 / set up a street's working committee")
    p.add_argument("--code", required=True, help="组织编码")
    p.add_argument("--name", required=True, help="名称，如“某某街道党工委”")
    p.add_argument("--regional", action="store_true", help="区域化大党工委")
    p.set_defaults(func=cmd_street)

    p = sub.add_parser("createadmin", help="创建平台管理员账户 / create a platform administrator")
    p.add_argument("username")
    p.add_argument("--role", choices=["sys_admin", "sec_admin", "audit_admin"],
                   default="sys_admin", help="系统管理员、安全管理员或审计管理员（三员分立）")
    p.add_argument("--name", help="姓名")
    p.add_argument("--password", help="密码（也可用环境变量 GONGJIAN_ADMIN_PASSWORD，或交互输入）")
    p.set_defaults(func=cmd_createadmin)

    p = sub.add_parser("backup", help="备份数据库和上传文件 / back up the database and uploads")
    p.add_argument("--dir", help="备份文件存放目录，默认 var/backups/")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复 / restore from a backup file")
    p.add_argument("file", help="gongjian backup 生成的备份文件")
    p.add_argument("--force", action="store_true", help="数据库已有数据时仍覆盖恢复")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("manage", help="其他 Django 管理命令 / any Django management command")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
