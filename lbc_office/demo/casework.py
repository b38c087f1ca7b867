"""The demo county's casework: the joint conference's organisations, the ``partner`` login (the
women's federation's liaison), risk levels with case plans, protection concerns from every
source, referrals to every kind of organisation in every status, a reunified child (its carers
end, its checks are scheduled), a school transfer and a planted duplicate pair.

Built on what ``county.py``, ``volunteers.py`` and ``programmes.py`` made, all through the
services (``casework.services``, ``registry.risk``, ``registry.transfers``,
``registry.services``), so that validation, history, audit and the closers apply. Runs once,
inside ``seed_demo``'s transaction (the demo marker keeps a second run from doing anything).
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Agency, AgencyKind, ConcernKind, ConcernSource, Severity
from casework.models.referrals import ReferralStatus
from casework.services import agencies as agency_services
from casework.services import concerns as concern_services
from casework.services import plans as plan_services
from casework.services import referrals as referral_services
from registry import risk, services, transfers
from registry.idnumber import check_digit_for
from registry.models import Child, ChildStatus, County, RiskLevel, School
from volunteers.models import Assignment

K = AgencyKind
# name, kind, contact, phone (the women's federation's liaison is the ``partner`` login)
AGENCIES = [
    ("巫溪县民政局", K.CIVIL_AFFAIRS, "李科长", "023-51522101"),
    ("巫溪县妇女联合会", K.WOMENS_FEDERATION, "陈主席", "023-51522102"),
    ("巫溪县卫生健康委员会", K.HEALTH, "王医生", "023-51522103"),
    ("巫溪县公安局", K.PUBLIC_SECURITY, "张警官", "023-51522104"),
    ("共青团巫溪县委员会", K.YOUTH_LEAGUE, "周书记", "023-51522105"),
    ("巫溪县教育委员会", K.EDUCATION, "向科长", "023-51522106"),
    ("凤凰镇人民政府", K.TOWNSHIP, "冉镇长", "023-51522107"),
    ("巫溪县阳光社会工作服务中心", K.NGO, "刘社工", "023-51522108"),
]
S, C = ConcernSource, ConcernKind
# source, kind, severity, who raises it (a demo login), what was seen, what happens next
CONCERNS = [
    (S.HOME_VISIT, C.NEGLECT, Severity.HIGH, "teacher",
     "家访时发现孩子独自做饭，奶奶卧病在床，家里没有存粮。", "referred"),
    (S.CHECKIN, C.MENTAL_HEALTH, Severity.MEDIUM, "volunteer",
     "孩子这个月很少说话，说不想上学，想妈妈。", "triaged"),
    (S.FAMILY_ROOM, C.NO_GUARDIAN, Severity.HIGH, "teacher",
     "亲情通话时孩子说爷爷外出打工，家里只有他一个人。", "referred"),
    (S.SCHOOL, C.DROPPING_OUT, Severity.MEDIUM, "teacher",
     "连续两周没有到校，班主任电话联系不上监护人。", "referred"),
    (S.CHILD, C.SAFETY, Severity.LOW, "official",
     "孩子自己到办公室说上学路上要过一段没有护栏的河边小路。", "closed"),
    (S.DEPARTMENT, C.INJURY, Severity.URGENT, "official",
     "镇卫生院报告：孩子手臂骨折，监护人说是摔伤，说法前后不一。", "referred"),
    (S.SCHOOL, C.RUNNING_AWAY, Severity.MEDIUM, "teacher",
     "周末离家到县城网吧过夜，家人找了一整晚。", "new"),
    (S.HOME_VISIT, C.OTHER, Severity.LOW, "teacher", "家中房屋漏雨，冬天被褥不够。", "closed"),
]  # fmt: skip
# agency kind, final status, what is asked, the answers on the way
ASKED = {
    K.CIVIL_AFFAIRS: "请评估是否纳入困境儿童基本生活保障。",
    K.WOMENS_FEDERATION: "请安排“爱心妈妈”结对，每周上门看望一次。",
    K.HEALTH: "请安排心理健康评估和必要的治疗。",
    K.PUBLIC_SECURITY: "请核实受伤原因，必要时依法处置。",
    K.YOUTH_LEAGUE: "请安排青年志愿者周末陪伴学习。",
    K.EDUCATION: "请督促学校落实控辍保学，安排送教上门。",
    K.TOWNSHIP: "请镇政府协调村委会落实临时监护人。",
    K.NGO: "请社工开展个案辅导。",
}
FEEDBACK = {
    ReferralStatus.ACCEPTED: "已收到，安排专人跟进。",
    ReferralStatus.DECLINED: "不属于本单位职责范围，建议转民政部门。",
    ReferralStatus.IN_PROGRESS: "已上门走访一次，正在联系孩子父母。",
    ReferralStatus.DONE: "已落实，孩子情况稳定，每月回访。",
}
PATHS = {  # the answers that bring a referral to its status
    ReferralStatus.SENT: [],
    ReferralStatus.ACCEPTED: [ReferralStatus.ACCEPTED],
    ReferralStatus.DECLINED: [ReferralStatus.DECLINED],
    ReferralStatus.IN_PROGRESS: [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS],
    ReferralStatus.DONE: [ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.DONE],
}
EVERY_STATUS = list(PATHS)


class _Seeder:
    def __init__(self, rng, by, users, today: datetime.date):
        self.rng, self.by, self.users, self.today = rng, by, users, today
        self.counts: dict[str, int] = {}
        teacher_schools = users["teacher"].teacher.schools.all()
        active = Child.objects.filter(status=ChildStatus.ACTIVE).order_by("pk")
        # The teacher's schools first, so that the demo teacher sees the casework too.
        self.pool = list(active.filter(school__in=teacher_schools)) + list(
            active.exclude(school__in=teacher_schools)
        )

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def child(self, n: int) -> Child:
        """The n-th child of the pool (a small demo county reuses its few children)."""
        return Child.objects.get(pk=self.pool[n % len(self.pool)].pk)

    def agencies(self) -> dict[str, Agency]:
        county = County.objects.get()
        made = {}
        for name, kind, contact, phone in AGENCIES:
            made[kind] = agency_services.save_agency(
                agency=Agency(), by=self.by, county=county, name=name, kind=kind,
                contact_name=contact, phone=phone,
            )  # fmt: skip
            self.add(_("partner organisations"))
        agency_services.set_liaison(
            user=self.users["partner"], by=self.by, agency=made[K.WOMENS_FEDERATION]
        )
        return made

    def risk_levels(self, agencies: dict[str, Agency]) -> None:
        """Two children at each level above "none"; high and urgent with a plan's actions."""
        reasons = {
            RiskLevel.LOW: "父母外出，祖辈监护尚可，需定期关注。",
            RiskLevel.MEDIUM: "成绩明显下滑，情绪低落，监护人年老体弱。",
            RiskLevel.HIGH: "监护缺失，孩子长期独自在家。",
            RiskLevel.URGENT: "疑似受到伤害，需立即介入。",
        }
        levels = [RiskLevel.HIGH, RiskLevel.URGENT, RiskLevel.HIGH, RiskLevel.MEDIUM,
                  RiskLevel.URGENT, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.LOW]  # fmt: skip
        for n, level in enumerate(levels):
            child = self.child(n)
            if child.risk_level == level:
                continue  # a tiny county: this child has it already
            risk.set_risk_level(child=child, level=level, reason=reasons[level], by=self.by)
            self.add(_("children with a risk level"))
            if level in (RiskLevel.HIGH, RiskLevel.URGENT):
                self.plan(child, agencies)

    def plan(self, child: Child, agencies: dict[str, Agency]) -> None:
        plan = plan_services.open_plan(child=child, by=self.by)
        plan_services.save_action(
            plan=plan, by=self.by, what="联系孩子父母，商量返乡或委托可靠的监护人。",
            due_on=self.today + datetime.timedelta(days=7), owner_user=self.by,
        )  # fmt: skip
        plan_services.save_action(
            plan=plan, by=self.by, what="安排“爱心妈妈”每周上门看望。",
            due_on=self.today + datetime.timedelta(days=14),
            owner_agency=agencies[K.WOMENS_FEDERATION],
        )  # fmt: skip
        self.add(_("case plans"))

    def concerns(self) -> list:
        made = []
        now = timezone.now()
        checkin_children = Assignment.objects.filter(
            volunteer__user=self.users["volunteer"], ended_on__isnull=True
        ).values_list("child", flat=True)
        for n, (source, kind, severity, who, seen, then) in enumerate(CONCERNS):
            child = self.child(n)
            if source == S.CHECKIN and checkin_children:
                child = Child.objects.get(pk=checkin_children[0])
            concern = concern_services.raise_concern(
                child=child, kind=kind, source=source, description=seen, by=self.users[who],
                severity=severity, raised_at=now - datetime.timedelta(days=len(CONCERNS) - n),
            )  # fmt: skip
            self.add(_("protection concerns"))
            if then != "new":
                concern_services.triage(
                    concern=concern, by=self.by, action_taken="已电话联系班主任了解情况。"
                )
            if then == "closed":
                concern_services.close_concern(
                    concern=concern, by=self.by, outcome="resolved", note="已协调解决。"
                )
            made.append((concern, then))
        return made

    def referrals(self, agencies: dict[str, Agency], concerns: list) -> None:
        """Every status at the women's federation (the partner's list), and every other kind
        of organisation one referral in turn through the statuses."""
        referred = [c for c, then in concerns if then == "referred"]
        plan = [(K.WOMENS_FEDERATION, status) for status in EVERY_STATUS]
        others = [kind for kind in agencies if kind != K.WOMENS_FEDERATION]
        plan += [(kind, EVERY_STATUS[n % len(EVERY_STATUS)]) for n, kind in enumerate(others)]
        for n, (kind, status) in enumerate(plan):
            concern = referred[n] if n < len(referred) else None  # one referral each
            child = concern.child if concern is not None else self.child(n + 3)
            agency = agencies[kind]
            referral = referral_services.refer(
                by=self.by, child=child, agency=agency, asked=ASKED[kind], concern=concern,
                due_on=self.today + datetime.timedelta(days=self.rng.randint(5, 30)),
            )  # fmt: skip
            answerer = self.users["partner"] if kind == K.WOMENS_FEDERATION else self.by
            for step in PATHS[status]:
                referral_services.answer(
                    referral=referral, by=answerer, status=step, feedback=FEEDBACK[step]
                )
            self.add(_("referrals"))

    def reunify(self) -> None:
        """A child with a carer goes home to the parents: the carers end with the change."""
        assignment = (
            Assignment.objects.filter(ended_on__isnull=True, child__status=ChildStatus.ACTIVE)
            .exclude(volunteer__user=self.users["volunteer"])
            .order_by("pk")
            .first()
        )
        if assignment is None:
            return
        child = Child.objects.get(pk=assignment.child_id)
        services.change_child_status(
            child=child, status=ChildStatus.REUNITED, by=self.by,
            on=max(self.today - datetime.timedelta(days=5), assignment.started_on),
            reason="父母返乡在县城开店，孩子回到父母身边生活。",
        )  # fmt: skip
        self.add(_("reunified children with their carers ended"))

    def transfer(self) -> None:
        """A pupil moves to another school of the same level (the family moved). One with no
        family-room call yet: a call names its school's room, which stays the old school's."""
        for child in Child.objects.filter(
            status=ChildStatus.ACTIVE, family_calls__isnull=True
        ).order_by("-pk"):
            schools = School.objects.filter(level=child.school.level, active=True)
            to = schools.exclude(pk=child.school_id).order_by("pk").first()
            if to is None or child.grade not in to.grades:
                continue
            transfers.transfer_school(
                child=child, to_school=to, on=self.today - datetime.timedelta(days=20),
                reason="随祖辈搬到亲戚家居住，就近转学。", by=self.by,
            )  # fmt: skip
            self.add(_("school transfers"))
            return

    def duplicate(self) -> None:
        """The same child typed twice: same name, birth date and village, one digit of the
        identity number wrong (with its parents, guardians and health check, as typed)."""
        original = Child.objects.filter(status=ChildStatus.ACTIVE).order_by("pk").first()
        if original is None:
            return
        number = _one_digit_off(original.id_number)
        copy = services.create_child(by=self.by, id_number=number, **_typed_again(original))
        for away in original.parents_away.all():
            services.save_parent_away(
                child=copy, relation=away.relation, by=self.by, name=away.name, phone=away.phone,
                work_city=away.work_city, work_province=away.work_province,
                away_since=away.away_since,
            )  # fmt: skip
        for guardian in original.guardians.all():
            services.save_guardian(
                guardian=type(guardian)(child=copy), by=self.by, name=guardian.name,
                relation=guardian.relation, phone=guardian.phone, birth_year=guardian.birth_year,
                schooling=guardian.schooling,
            )  # fmt: skip
        check = original.health_checks.order_by("-date").first()
        if check is not None:
            services.record_health_check(
                child=copy, by=self.by, date=check.date, height_cm=check.height_cm,
                weight_kg=check.weight_kg,
            )  # fmt: skip
        self.add(_("planted duplicate pairs"))


def _one_digit_off(number: str) -> str:
    """The number with its 16th digit (the order code, not the sex digit) one off."""
    digit = str((int(number[15]) + 1) % 10)
    first17 = number[:15] + digit + number[16:17]
    return first17 + check_digit_for(first17)


def _typed_again(child: Child) -> dict:
    names = ("name", "sex", "date_of_birth", "school", "grade", "village", "father_away",
             "mother_away", "remaining_parent_unable", "guardian", "boarding", "poor")  # fmt: skip
    return {name: getattr(child, name) for name in names}


def seed(*, rng, by, users, today) -> dict:
    """Add the casework's demo records; return {label: count} for the summary."""
    seeder = _Seeder(rng, by, users, today)
    agencies = seeder.agencies()
    if seeder.pool:
        seeder.risk_levels(agencies)
        seeder.referrals(agencies, seeder.concerns())
    seeder.reunify()
    seeder.transfer()
    seeder.duplicate()
    return seeder.counts


__all__ = ["AGENCIES", "seed"]
