"""The three lists on the synthetic city, for the benchmark: 10,000 resources, 20,000 demands
and 100,000 projects (with their claims) spread over the city's streets and communities.

Written with bulk inserts (no services, no audit: synthetic rows are nobody's action) in a
minute or so; `build()` does nothing when the city already has them, so it can run before
every benchmark.
"""

import datetime
import random
import time
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Avg, Count, Max, Sum
from django.utils import timezone

from gongjian.core.models import User
from gongjian.orgs.models import Organization, Unit

from .keywords import keywords_of, stored
from .models import (
    ACTIVE_STATES,
    Demand,
    Project,
    ProjectClaim,
    ProjectState,
    Resource,
    UnitRecord,
)
from .services import DEFAULT_STEP_DAYS

S = ProjectState
BATCH = 5000

# (category, title, description): what units offer and residents ask for.
TEMPLATES = [
    ("elderly", "高龄老人上门理发", "为行动不便的高龄老人上门理发、助浴"),
    ("elderly", "独居老人探访", "志愿者每周探访独居老人，代购生活用品"),
    ("elderly", "老年助餐", "为空巢老人提供午餐助餐服务"),
    ("children", "四点钟学校", "放学后作业辅导与看护"),
    ("children", "暑期亲子课堂", "国学、手工、绘画、科普课程"),
    ("health", "社区义诊", "专家义诊，测血压血糖，慢病健康讲座"),
    ("health", "送药上门", "为慢病老人平价供药、送药上门"),
    ("legal", "法律咨询", "律师坐班，法律咨询与纠纷调解"),
    ("legal", "征迁安置法律服务", "征迁、返迁安置协议与产权登记咨询"),
    ("employment", "社区招聘会", "为就业困难人员和应届毕业生提供岗位"),
    ("employment", "技能培训", "家政、电工、育婴师职业技能培训"),
    ("environment", "楼道照明维修", "老旧楼院楼道照明与单元门维修"),
    ("environment", "环卫驿站", "环卫工人休息补给点，楼院卫生清理"),
    ("culture", "文艺进社区", "文艺社团进社区演出，广场舞培训"),
    ("culture", "全民健身", "运动场地开放，健身指导"),
    ("relief", "困难家庭帮扶", "低保、残疾困难家庭结对帮扶与节日慰问"),
    ("space", "会议室共享", "多功能厅、会议室向居民开放共享"),
    ("other", "便民维修", "小家电维修、磨刀、配钥匙便民服务"),
]
STATE_WEIGHTS = [(S.DECLARED, 8), (S.APPROVED, 7), (S.CLAIMED, 10), (S.DOCKED, 8),
                 (S.EXECUTING, 20), (S.ACCEPTED, 7), (S.CLOSED, 30), (S.REJECTED, 5),
                 (S.WITHDRAWN, 5)]
CLAIMED_OR_LATER = {S.CLAIMED, S.DOCKED, S.EXECUTING, S.ACCEPTED, S.CLOSED}


def exists(root) -> bool:
    return Project.objects.filter(org__path__startswith=root.path).exists()


def _streets_and_communities(root):
    """Streets (deepest working committees below the root) and their communities."""
    streets = list(Organization.objects.filter(path__startswith=root.path,
                                               kind="working_committee")
                   .exclude(pk=root.pk).values_list("path", "depth"))
    deepest = max(d for _, d in streets)
    street_paths = sorted(p for p, d in streets if d == deepest)
    communities = defaultdict(list)
    for pk, path in Organization.objects.filter(
            path__startswith=root.path, depth=deepest + 1).values_list("pk", "path"):
        communities[path[: len(path) - Organization.steplen]].append(pk)
    return street_paths, communities


def build(root_code="SYN-CITY", *, resources=10_000, demands=20_000, projects=100_000,
          seed=2026, log=print) -> dict:
    root = Organization.objects.get(code=root_code)
    if exists(root):
        log("三单合成数据已存在，跳过")
        return {"skipped": True}
    started = time.perf_counter()
    rng = random.Random(f"{seed}:{root_code}:projects")
    words = {t: stored(keywords_of(t[1], t[2])) for t in TEMPLATES}
    street_paths, communities = _streets_and_communities(root)
    units_by_street = defaultdict(list)
    for pk, path in Unit.objects.filter(org__path__startswith=root.path).values_list(
            "pk", "org__path"):
        street = next((s for s in street_paths if path.startswith(s)), None)
        if street:
            units_by_street[street].append(pk)
    streets = [s for s in street_paths if communities.get(s) and units_by_street.get(s)]
    poster = User.objects.get(username="synth_city")
    now = timezone.now()
    today = timezone.localdate()

    with transaction.atomic():
        rows = []
        for n in range(resources):
            street = streets[n % len(streets)]
            t = rng.choice(TEMPLATES)
            capacity = rng.randint(10, 500)
            rows.append(Resource(
                unit_id=rng.choice(units_by_street[street]), category=t[0],
                title=f"{t[1]}{n % 97 + 1}号", description=t[2], capacity=capacity,
                committed=rng.randint(0, capacity // 2), available_text="每周",
                address="", active=rng.random() < 0.92, keywords=words[t],
                created_by=poster, created_at=now - datetime.timedelta(days=rng.randint(0, 700))))
        Resource.objects.bulk_create(rows, batch_size=BATCH)
        log(f"  {resources:,} 项服务资源")

        rows = []
        for _ in range(demands):
            street = rng.choice(streets)
            t = rng.choice(TEMPLATES)
            rows.append(Demand(
                org_id=rng.choice(communities[street]), posted_by=poster, category=t[0],
                title=t[1], description=t[2], place="社区", beneficiaries=rng.randint(3, 300),
                urgency=rng.choice(("normal", "normal", "pressing", "urgent")),
                state=rng.choice(("open", "open", "accepted", "project", "declined")),
                keywords=words[t], created_at=now - datetime.timedelta(days=rng.randint(0, 700))))
        Demand.objects.bulk_create(rows, batch_size=BATCH)
        log(f"  {demands:,} 条服务需求")

        states = [s for s, w in STATE_WEIGHTS for _ in range(w)]
        made = 0
        while made < projects:
            batch, streets_of = [], []
            for _ in range(min(BATCH, projects - made)):
                street = rng.choice(streets)
                t = rng.choice(TEMPLATES)
                state = rng.choice(states)
                declared = today - datetime.timedelta(days=rng.randint(1, 730))
                step_day = declared + datetime.timedelta(days=rng.randint(0, 60))
                deadline = None
                if state in ACTIVE_STATES:
                    # about one active project in six is late
                    late = rng.random() < 0.17
                    deadline = (today - datetime.timedelta(days=rng.randint(1, 90)) if late
                                else today + datetime.timedelta(days=rng.randint(
                                    0, DEFAULT_STEP_DAYS.get(state, 30))))
                done = state in (S.ACCEPTED, S.CLOSED)
                batch.append(Project(
                    title=f"{t[1]}项目", category=t[0], description=t[2],
                    org_id=rng.choice(communities[street]),
                    target_beneficiaries=rng.randint(10, 800), state=state,
                    step_deadline=deadline,
                    claimed_share=100 if state in CLAIMED_OR_LATER else 0,
                    rating=rng.choice((3, 4, 4, 5, 5, 5)) if done else None,
                    beneficiary_count=rng.randint(10, 800) if done else None,
                    created_by=poster, declared_at=_aware(declared),
                    approved_at=_aware(step_day) if state not in (S.DECLARED, S.REJECTED)
                    else None))
                streets_of.append(street)
            Project.objects.bulk_create(batch, batch_size=BATCH)
            claims = []
            for project, street in zip(batch, streets_of, strict=True):
                if project.state not in CLAIMED_OR_LATER:
                    continue
                pool = units_by_street[street]
                picks = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3))))
                shares = _shares(len(picks), rng)
                claims += [ProjectClaim(project=project, unit_id=u, share=s, claimed_by=poster,
                                        org_id=project.org_id, state=project.state,
                                        step_deadline=project.step_deadline,
                                        claimed_at=project.approved_at or now)
                           for u, s in zip(picks, shares, strict=True)]
            ProjectClaim.objects.bulk_create(claims, batch_size=BATCH)
            made += len(batch)
            log(f"  {made:,} / {projects:,} 个项目")

        records = (ProjectClaim.objects.filter(project__org__path__startswith=root.path,
                                               project__state__in=(S.ACCEPTED, S.CLOSED))
                   .values("unit").annotate(n=Count("pk"), total=Sum("project__rating")))
        UnitRecord.objects.bulk_create(
            [UnitRecord(unit_id=r["unit"], projects_done=r["n"], rating_sum=r["total"] or 0,
                        rating_count=r["n"]) for r in records], batch_size=BATCH,
            ignore_conflicts=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("projects_project", "projects_projectclaim", "projects_resource",
                          "projects_demand", "projects_unitrecord"):
                # outside the transaction: the visibility map lets counts read indexes only
                cursor.execute(f"VACUUM ANALYZE {table}")
    summary = Project.objects.filter(org__path__startswith=root.path).aggregate(
        n=Count("pk"), rating=Avg("rating"), last=Max("declared_at"))
    elapsed = round(time.perf_counter() - started, 1)
    log(f"三单合成数据：{summary['n']:,} 个项目，用时 {elapsed} 秒")
    return {"projects": summary["n"], "seconds": elapsed}


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _shares(n, rng):
    """n whole shares adding up to 100."""
    if n == 1:
        return [100]
    cuts = sorted(rng.sample(range(1, 100), n - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
