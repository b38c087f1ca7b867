"""The demo county's carers: organisations, vetted volunteers of each role, assignments (active
and ended), and three months of check-ins — done, missed, one with a concern — so that a newcomer
sees the whole monthly cycle. The ``volunteer`` login is a surrogate parent with three children.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from registry import consent as registry_consent
from registry.models import Child, ChildStatus, Town
from volunteers.models import (
    Assignment,
    CarerRole,
    CheckinRole,
    MonthlyCheckin,
    Organisation,
    Volunteer,
    month_start,
)
from volunteers.models.care import add_years, vetting_years
from volunteers.services import care, monthly

# name, kind, town (None: county-wide)
ORGANISATIONS = [
    ("巫溪县农业农村委员会", Organisation.Kind.GOVERNMENT, None),
    ("巫溪县妇女联合会", Organisation.Kind.GOVERNMENT, None),
    ("凤凰镇幸福和谐家园", Organisation.Kind.VILLAGE_ASSOCIATION, "凤凰镇"),
    ("重庆三峡学院青年志愿者协会", Organisation.Kind.REGISTERED_NGO, None),
    ("上磺镇爱心妈妈互助会", Organisation.Kind.GRASSROOTS_NGO, "上磺镇"),
]
FOSTER_MOTHERS = ["冉秀英", "向桂兰", "谭春梅", "刘玉珍", "杨丽华", "李凤英", "张翠花", "陈红梅",
                  "王淑芬", "周小琴", "黄明艳", "邓春燕"]  # fmt: skip
SIBLINGS = ["赵宇航", "孙佳怡", "钱思远", "吴梦琪", "郑浩然", "冯雨桐", "韩子涵", "曹一鸣"]
SURROGATES = ["胡建国", "覃德明", "向学文", "汪永红", "蒋大伟"]
NOTES = ["孩子这个月情绪不错，作业按时完成。", "和奶奶聊了孩子的学习，约好下月再来。",
         "带孩子去镇上买了学习用品。", "孩子说想妈妈，一起给妈妈打了视频电话。", ""]  # fmt: skip


def seed(*, rng, by, users, today) -> dict:
    towns = {t.name: t for t in Town.objects.all()}
    demo_town = towns.get("凤凰镇", list(towns.values())[0])
    organisations = _organisations(rng, by)
    mothers, siblings, surrogates = _volunteers(rng, by, users, today, organisations, towns)
    made = _assign(rng, by, today, demo_town, mothers, siblings, surrogates)
    _demo_consent(surrogates[0], by, today)
    # A few assignments ended (the volunteer moved away, the child went to the parents).
    ended = 0
    for a in rng.sample(made[6:], min(4, len(made[6:]))):
        care.end_assignment(
            assignment=a, by=by, ended_on=today - datetime.timedelta(days=rng.randrange(1, 20)),
            reason=rng.choice(["志愿者外出务工，不能继续陪伴。", "孩子随父母到外地读书。"]),
        )  # fmt: skip
        ended += 1
    checkins = _past_checkins(rng, made, today)
    _this_month(users, today, made, surrogates[0])
    return {
        _("organisations"): len(organisations),
        _("volunteers"): Volunteer.objects.count(),
        _("assignments (ended)"): f"{len(made)} ({ended})",
        _("past check-ins"): checkins,
    }


def _organisations(rng, by) -> list[Organisation]:
    county = Child.objects.values_list("county", flat=True).first()
    return [
        care.save_organisation(
            organisation=Organisation(),
            by=by,
            county_id=county,
            name=name,
            kind=kind,
            contact_name=rng.choice(["谭主任", "向老师", "刘会长"]),
            phone=f"023-5152{rng.randrange(10_000):04d}",
        )  # fmt: skip
        for name, kind, _town in ORGANISATIONS
    ]


def _volunteers(rng, by, users, today, organisations, towns) -> tuple[list, list, list]:
    """Foster mothers, foster siblings and surrogate parents (the demo login's record first),
    two whose vetting ends soon, and an applicant not yet vetted."""
    vetted = today - datetime.timedelta(days=200)

    def volunteer(name, role, organisation, town, user=None, vetted_on=None):
        # The police station's record check, then the county's training, then the vetting.
        vetted_on = vetted_on or vetted - datetime.timedelta(days=rng.randrange(300))
        return care.save_volunteer(
            volunteer=Volunteer(), by=by, name=name, town=town, organisation=organisation,
            phone=f"1{rng.choice(['39', '58', '77', '35'])}{rng.randrange(10**8):08d}",
            background_check_on=vetted_on - datetime.timedelta(days=rng.randint(15, 40)),
            background_check_result=Volunteer.CheckResult.CLEAR,
            trained_on=vetted_on - datetime.timedelta(days=rng.randint(1, 10)),
            vetted_on=vetted_on, capacity=None, user=user, **{f"may_be_{role}": True},
        )  # fmt: skip

    town_list = list(towns.values())
    mothers = [
        volunteer(n, CarerRole.FOSTER_MOTHER, rng.choice(organisations[:3]), rng.choice(town_list))
        for n in FOSTER_MOTHERS
    ]
    siblings = [
        volunteer(n, CarerRole.FOSTER_SIBLING, organisations[3], rng.choice(town_list))
        for n in SIBLINGS
    ]
    # Two whose vetting ends within the warning's days: the dashboard counts them.
    for n, days in (("谢晓燕", 25), ("田德芳", 52)):
        expiring = add_years(today, -vetting_years()) + datetime.timedelta(days=days)
        volunteer(n, CarerRole.FOSTER_MOTHER, organisations[1], rng.choice(town_list),
                  vetted_on=expiring)  # fmt: skip
    demo_town = towns.get("凤凰镇", town_list[0])
    surrogates = [
        volunteer(
            "刘芳", CarerRole.SURROGATE_PARENT, organisations[1], demo_town, users["volunteer"]
        )
    ]
    surrogates += [
        volunteer(n, CarerRole.SURROGATE_PARENT, rng.choice(organisations), rng.choice(town_list))
        for n in SURROGATES
    ]
    # An applicant still waiting for vetting, to show the rule.
    care.save_volunteer(
        volunteer=Volunteer(), by=by, name="陈小燕", town=demo_town, organisation=organisations[2],
        may_be_foster_mother=True, capacity=None,
    )  # fmt: skip
    return mothers, siblings, surrogates


def _assign(rng, by, today, demo_town, mothers, siblings, surrogates) -> list[Assignment]:
    # Children most in need first: both parents away, or living alone.
    children = list(
        Child.objects.filter(status=ChildStatus.ACTIVE)
        .select_related("village__town")
        .order_by("-father_away", "-mother_away", "id")
    )
    rng.shuffle(children)
    children.sort(key=lambda c: not (c.both_parents_away or c.guardian == "none"))
    started = month_start(today) - datetime.timedelta(days=100)
    made: list[Assignment] = []

    def assign(v, role, n):
        for _i in range(n):
            child = next(pool, None)
            if child is None:  # a small demo (--children) runs out of children: fine
                return
            made.append(
                care.assign_volunteer(
                    child=child,
                    volunteer=v,
                    role=role,
                    by=by,
                    started_on=started + datetime.timedelta(days=rng.randrange(20)),
                )  # fmt: skip
            )

    # The demo volunteer's children are in the demo teacher's town, so both logins meet them.
    local = [c for c in children if c.village.town_id == demo_town.pk][:3]
    for child in local:
        children.remove(child)
    pool = iter(local + children)
    assign(surrogates[0], CarerRole.SURROGATE_PARENT, 3)
    for v in surrogates[1:]:
        assign(v, CarerRole.SURROGATE_PARENT, rng.randint(3, 5))
    for v in mothers:
        assign(v, CarerRole.FOSTER_MOTHER, 1)
    for v in siblings:
        assign(v, CarerRole.FOSTER_SIBLING, 2)
    return made


def _this_month(users, today, made, demo_volunteer) -> None:
    """This month: opened for everyone (and the volunteers told), a few already done, one
    concern."""
    monthly.open_month(today)
    mine = [a for a in made if a.volunteer_id == demo_volunteer.pk and a.active]
    current = (
        MonthlyCheckin.objects.filter(month=month_start(today), assignment=mine[0]).first()
        if mine
        else None
    )
    if current is not None:
        care.submit_checkin(
            checkin=current, by=users["volunteer"], roles_done=list(CheckinRole.objects.all()[:5]),
            notes="孩子最近不爱说话，奶奶腿脚不好住院了，需要有人照看。", concern=True,
            concern_kind="no_guardian",
        )  # fmt: skip
    monthly.close_months(today)


def _demo_consent(volunteer, by, today) -> None:
    """The demo volunteer's children: the first ones' guardians agreed to share the file (so
    the volunteer opens it); the last one's guardian withdrew sharing with volunteers today, so
    the volunteer's screen shows "contact the office" and the dashboard lists the assignment."""
    children = [
        a.child
        for a in volunteer.assignments.active().select_related("child")
        .order_by("id")
    ]  # fmt: skip
    for n, child in enumerate(children):
        guardian = child.guardians.first()
        if guardian is None:
            continue
        withdrawn = n == len(children) - 1 and n > 0
        registry_consent.record_consent(
            child=child, by=by, date=today, guardian_name=guardian.name,
            guardian_relation=guardian.relation, keep_file=True,
            share_with_volunteers=not withdrawn, photos=False,
            notes="监护人要求暂不向志愿者提供孩子的档案。" if withdrawn else "",
        )  # fmt: skip


def _past_checkins(rng, assignments, today) -> int:
    """The three months before this one: most done, some missed (as the tasks would leave)."""
    roles = list(CheckinRole.objects.all())
    made = 0
    for back in (3, 2, 1):
        month = month_start(today)
        for _i in range(back):
            month = month_start(month - datetime.timedelta(days=1))
        for a in assignments:
            if a.started_on > month.replace(day=28):
                continue
            missed = rng.random() < 0.12
            submitted = timezone.make_aware(
                datetime.datetime.combine(month.replace(day=rng.randint(5, 25)), datetime.time(19))
            )
            checkin = MonthlyCheckin.objects.create(
                county_id=a.county_id, assignment=a, month=month,
                status="missed" if missed else "done",
                contact="" if missed or a.role == CarerRole.SURROGATE_PARENT else rng.choice(["visit", "phone"]),  # noqa: E501
                notes="" if missed else rng.choice(NOTES),
                submitted_at=None if missed else submitted,
                submitted_by=None if missed or not a.volunteer.user_id else a.volunteer.user,
            )  # fmt: skip
            if not missed and a.role == CarerRole.SURROGATE_PARENT:
                checkin.roles_done.set(rng.sample(roles, rng.randint(4, 6)))
            made += 1
    return made
