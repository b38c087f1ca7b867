"""The demo county's home visits, family-room calls, programmes and donations (see county.py).

Built on the register ``county.py`` made, through ``programmes.services`` (validation and history
apply). Dates are relative to ``today`` and never in the future. The demo ``teacher`` (schools
5002380004 and 5002380005) finds visits of their own, follow-ups due, and children who have not
talked to a parent for months.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lbc_office.demo.data import (
    CALL_NOTES,
    CHILD_SAID,
    COMMUNITY,
    FOLLOW_UP_NOTES,
    MET,
    RECOMMENDATIONS,
    SITUATIONS,
    TEACHER_SCHOOLS,
)
from programmes import selectors, services
from programmes.models import Donation, HomeVisit, Programme, ProgrammeSession
from registry.models import Child, ChildStatus, County, FamilyRoom, School, Town


class _Seeder:
    def __init__(self, rng, by, users, today: datetime.date):
        self.rng, self.by, self.today = rng, by, today
        self.teacher = users["teacher"]
        self.counts: dict[str, int] = {}
        self.children = list(
            Child.objects.filter(status=ChildStatus.ACTIVE)
            .select_related("school", "county")
            .order_by("pk")
        )
        self.teacher_school_ids = set(
            School.objects.filter(code__in=TEACHER_SCHOOLS).values_list("pk", flat=True)
        )

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def moment(self, days: int) -> datetime.datetime:
        day = self.ago(days)
        at = datetime.datetime(day.year, day.month, day.day, self.rng.choice([12, 16, 17, 18]))
        return timezone.make_aware(at.replace(minute=self.rng.choice([0, 10, 20, 30, 40])))

    # --- home visits ----------------------------------------------------------------------------

    def home_visits(self) -> None:
        rng = self.rng
        mine = [c for c in self.children if c.school_id in self.teacher_school_ids]
        others = [c for c in self.children if c.school_id not in self.teacher_school_ids]
        visited = rng.sample(mine, min(len(mine), max(6, len(mine) * 2 // 3)))
        visited += rng.sample(others, min(len(others), len(others) // 8))
        for n, child in enumerate(visited):
            visitor = self.teacher if child.school_id in self.teacher_school_ids else self.by
            first = rng.randint(20, 200)
            # Every third visit asks for a follow-up: most come due, some are done, some later.
            plan = n % 3 == 0
            due_in = rng.choice([-25, -12, -6, -2, 0, 5, 12]) if plan else None
            first = max(first, -due_in + 7) if due_in is not None and due_in < 0 else first
            self.visit(child, visitor, days_ago=first, follow_up_in=due_in)
            if plan and n % 9 == 0 and first > 10:  # this one was followed up already
                self.visit(child, visitor, days_ago=rng.randint(1, first - 5), follow_up_in=None)

    def visit(self, child, visitor, *, days_ago: int, follow_up_in: int | None) -> HomeVisit:
        rng = self.rng
        date = self.ago(days_ago)
        areas = rng.sample(list(RECOMMENDATIONS), rng.randint(2, 4))
        fields = {area: rng.choice(RECOMMENDATIONS[area]) for area in areas}
        if follow_up_in is not None:
            fields |= {
                "follow_up_needed": True,
                "follow_up_by": self.today + datetime.timedelta(days=follow_up_in),
                "follow_up_note": rng.choice(FOLLOW_UP_NOTES),
            }
        visit = services.record_home_visit(
            child=child,
            visitor=visitor,
            by=visitor,
            date=date,
            met=rng.choice(MET) if child.guardian == "grandparents" else "relatives",
            guardian_health=rng.choice(["good", "fair", "fair", "poor"]),
            guardian_supervision=rng.choice(["well", "partly", "partly", "no"]),
            guardian_homework=rng.choice(["partly", "no", "no"]),
            guardian_situation=rng.choice(SITUATIONS),
            community=rng.choice(COMMUNITY),
            child_said=rng.choice(CHILD_SAID) if rng.random() < 0.6 else "",
            **fields,
        )
        self.add(_("home visits"))
        return visit

    # --- calls and parents' visits home ----------------------------------------------------------

    def calls_and_parents(self) -> None:
        rng = self.rng
        rooms: dict[int, list[FamilyRoom]] = {}
        for room in FamilyRoom.objects.filter(active=True).order_by("pk"):
            rooms.setdefault(room.school_id, []).append(room)
        for child in self.children:
            if child.school_id in rooms:
                # Most call every few weeks; some have not called for months, a few never.
                last = rng.choices([3, 20, 45, 120, 400], weights=[35, 25, 15, 10, 15])[0]
                last = rng.randint(max(1, last - 15), last + 10)
                if last < 380:
                    by = self.teacher if child.school_id in self.teacher_school_ids else self.by
                    self.calls(child, rooms[child.school_id], last=last, by=by)
            # Parents come home for the Spring Festival, the summer holiday or National Day.
            for holiday, chance in (("spring", 0.5), ("summer", 0.2), ("national", 0.2)):
                if rng.random() < chance:
                    self.parent_home(child, holiday)

    def calls(self, child, rooms, *, last: int, by) -> None:
        rng = self.rng
        days = last
        for _n in range(rng.randint(1, 4)):
            if days > 360:
                break
            both = child.both_parents_away
            whom = (
                rng.choice(["mother", "father", "both", "mother"])
                if both
                else ("father" if child.father_away else "mother")
            )
            if rng.random() < 0.08:
                whom = "other"
            services.record_family_call(
                child=child,
                room=rng.choice(rooms),
                by=by,
                at=self.moment(days),
                minutes=rng.choice([3, 5, 5, 8, 10, 12, 15, 20]),
                with_whom=whom,
                notes=rng.choice(CALL_NOTES),
            )
            self.add(_("family-room calls"))
            days += rng.randint(14, 60)

    def parent_home(self, child, holiday: str) -> None:
        """A parent home for a holiday: its last occurrence before today (a year earlier for
        some Spring Festivals: a long gap since)."""
        rng = self.rng
        first, length = {
            "spring": ((1, rng.randint(18, 31)), rng.randint(7, 25)),
            "summer": ((7, rng.randint(10, 25)), rng.randint(5, 20)),
            "national": ((9, 30), rng.randint(3, 7)),
        }[holiday]
        arrived = datetime.date(self.today.year, *first)
        if arrived > self.today - datetime.timedelta(days=length):
            arrived = arrived.replace(year=arrived.year - 1)
        if holiday == "spring" and rng.random() < 0.3:
            arrived = arrived.replace(year=arrived.year - 1)
        left = arrived + datetime.timedelta(days=length)
        parent = (
            rng.choice(["both", "both", "father", "mother"])
            if child.both_parents_away
            else ("father" if child.father_away else "mother")
        )
        services.record_parent_visit(
            child=child,
            by=self.by,
            parent=parent,
            arrived_on=arrived,
            left_on=left,
            notes=rng.choice(["", "", "带孩子去县城买了新衣服", "开了一次家长会"]),
        )
        self.add(_("parents' visits home"))

    # --- programmes ------------------------------------------------------------------------------

    def programmes(self) -> dict[str, Programme]:
        county = County.objects.get()
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        term = datetime.date(year, 9, 1)
        camp_year = (
            self.today.year
            if self.today >= datetime.date(self.today.year, 7, 25)
            else (self.today.year - 1)
        )
        towns = {t.name: t for t in Town.objects.all()}
        schools = {s.code: s for s in School.objects.all()}
        rows = [
            ("lunch", "爱心午餐", Programme.Kind.LOVE_LUNCH, term, None,
             [towns["花台乡"], towns["兰英乡"], towns["宁厂镇"]], [],
             "企业资助，山区小学每生每天一顿热午餐。"),
            ("egg", "蛋奶工程", Programme.Kind.EGG_MILK, term, None, [], [],
             "农村义务教育学生每天一个鸡蛋、一盒牛奶。"),
            ("subsidy", "贫困寄宿生每日 2 元补助", Programme.Kind.DAILY_SUBSIDY, term, None, [], [],
             "贫困家庭学生每人每天 2 元生活补助。"),
            ("boarding", "寄宿生关爱行动", Programme.Kind.BOARDING, term, None, [],
             [schools["5002380003"], schools["5002380005"]], "生活老师夜间查寝、周末亲情通话。"),
            ("four", "“4+1”教育模式试点", Programme.Kind.FOUR_PLUS_ONE, term, None, [],
             [schools[code] for code in TEACHER_SCHOOLS],
             "学校、家庭、社区、政府四方加一名爱心人士。"),
            ("parents", "流动家长学校（凤凰镇）", Programme.Kind.PARENT_SCHOOL, term, None,
             [towns["凤凰镇"]], [], "送教下村，培训祖辈监护人。"),
            ("camp", f"{camp_year} 年留守儿童暑期夏令营", Programme.Kind.SUMMER_CAMP,
             datetime.date(camp_year, 7, 10), datetime.date(camp_year, 7, 20), [], [],
             "到重庆主城参观科技馆、与父母团聚。"),
            ("care", "“心灵港湾”心理关爱", Programme.Kind.PSYCHOLOGICAL_CARE, term, None, [],
             [schools["5002380003"], schools["5002380011"]], "心理老师每月团体辅导一次。"),
        ]  # fmt: skip
        made = {}
        for key, name, kind, starts, ends, in_towns, in_schools, description in rows:
            made[key] = services.save_programme(
                programme=Programme(),
                by=self.by,
                county=county,
                name=name,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                description=description,
                towns=in_towns,
                schools=in_schools,
            )
            self.add(_("programmes"))
        return made

    def enrolments(self, programmes: dict[str, Programme]) -> None:
        rng = self.rng
        active = Child.objects.filter(status=ChildStatus.ACTIVE)
        start = programmes["egg"].starts_on
        plans = [
            ("lunch", active),
            (
                "egg",
                active.filter(school__level="primary").exclude(school__town__kind="subdistrict"),
            ),
            ("subsidy", active.filter(poor=True)),
            ("boarding", active.filter(boarding=True)),
            ("four", active.both_parents_away()),
            ("parents", active.filter(guardian="grandparents")),
            ("care", active.filter(Q(guardian="none") | Q(remaining_parent_unable=True))),
        ]
        for key, children in plans:
            n = services.enrol_children(
                programme=programmes[key], children=children, starts_on=start, by=self.by
            )
            self.add(_("enrolments"), n)
        camp = programmes["camp"]
        campers = list(active.both_parents_away().filter(grade__gte=4))
        for child in rng.sample(campers, min(len(campers), 24)):
            enrolment = services.enrol_child(
                programme=camp, child=child, starts_on=camp.starts_on, by=self.by
            )
            services.end_enrolment(enrolment=enrolment, ends_on=camp.ends_on, by=self.by)
            self.add(_("enrolments"))
        # Two classes of the mobile parent school, with their attendance.
        parents = programmes["parents"]
        enrolled = list(selectors.enrolled_on(parents, self.ago(10)))
        for days, topic, place in [(40, "怎样和孙辈沟通", "凤凰镇红池村村委会"),
                                   (10, "如何督促孩子完成作业", "凤凰镇中心小学")]:  # fmt: skip
            session = services.save_session(
                session=ProgrammeSession(programme=parents),
                by=self.by,
                date=self.ago(days),
                topic=topic,
                place=place,
            )
            came = [c for c in enrolled if rng.random() < 0.6]
            services.record_attendance(
                session=session,
                present={c: rng.choice(["奶奶", "爷爷", "奶奶", ""]) for c in came},
                by=self.by,
            )
            self.add(_("parent-school attendances"), len(came))

    # --- donations -------------------------------------------------------------------------------

    def _donation(self, **fields) -> Donation:
        fields.setdefault("county", County.objects.get())
        made = services.save_donation(donation=Donation(), by=self.by, **fields)
        self.add(_("donations"))
        return made

    def _hand(self, donation, *, children=(), schools=(), value, days_ago, items, confirmed=None):
        if not children and not schools:
            return  # a small demo county may have nobody who fits
        made = services.record_handovers(
            donation=donation,
            children=children,
            schools=schools,
            value_each=Decimal(value),
            handed_over_on=self.ago(days_ago),
            confirmed_by=confirmed or self.rng.choice(["监护人签字", "学生本人签收", "班主任代签"]),
            items=items,
            by=self.by,
        )
        self.add(_("handovers"), len(made))

    def donations(self, programmes: dict[str, Programme]) -> None:
        donation, hand = self._donation, self._hand
        school4 = School.objects.get(code="5002380004")
        active = Child.objects.filter(status=ChildStatus.ACTIVE).select_related("school")
        subsidy = programmes["subsidy"]
        subsidised = list(
            active.filter(enrolments__programme=subsidy, enrolments__ends_on__isnull=True)
        )
        # 1. Money to a primary school, partly traced: the library, and ten poor pupils.
        gift = donation(
            donor="重庆某电力公司", donor_kind="enterprise", date=self.ago(150), kind="money",
            value=Decimal("25000"), destination="school", school=school4,
            description="捐资助学：图书室建设和贫困学生助学金。",
        )  # fmt: skip
        hand(gift, schools=[school4], value="15000", days_ago=120, items="图书室书架和图书",
             confirmed="校长 向明全")  # fmt: skip
        poor4 = list(active.filter(school=school4, poor=True).order_by("pk")[:10])
        hand(gift, children=poor4, value="500", days_ago=100, items="助学金")
        # 2. Money to the daily-subsidy programme, traced in full.
        share = subsidised[:26]
        if share:
            full = donation(
                donor="巫溪县商会", donor_kind="enterprise", date=self.ago(90), kind="money",
                value=Decimal(500 * len(share)), destination="programme", programme=subsidy,
                description="为贫困学生补足一学期生活补助。",
            )  # fmt: skip
            hand(full, children=share, value="500", days_ago=60, items="一学期生活补助")
        # 3. Winter coats from an NGO to named children, traced in full.
        both = list(active.both_parents_away().order_by("?")[:20])
        both = sorted(both, key=lambda c: c.pk)
        if both:
            coats = donation(
                donor="巫溪县青少年发展基金会", donor_kind="ngo", date=self.ago(75),
                kind="clothing", value=Decimal(150 * len(both)), destination="children",
                description="冬季棉衣，每人一件。",
            )  # fmt: skip
            for school_children in _by_school(both).values():
                hand(coats, children=school_children, value="150", days_ago=60, items="棉衣一件")
        self._more_donations(programmes, active)

    def _more_donations(self, programmes: dict[str, Programme], active) -> None:
        donation, hand = self._donation, self._hand
        school3 = School.objects.get(code="5002380003")
        # 4. Books to a middle school, partly traced.
        books = donation(
            donor="新华书店巫溪分店", donor_kind="enterprise", date=self.ago(40), kind="books",
            value=Decimal("8000"), destination="school", school=school3,
            description="课外读物 800 册。",
        )  # fmt: skip
        hand(books, schools=[school3], value="5000", days_ago=30, items="500 册入图书室",
             confirmed="图书管理员 谭老师")  # fmt: skip
        readers = list(active.filter(school=school3).order_by("grade", "pk")[:20])
        hand(books, children=readers, value="100", days_ago=25, items="课外读物 10 册")
        # 5. Household items from a person to named children, partly traced.
        person = donation(
            donor="刘先生", donor_kind="person", date=self.ago(20), kind="household",
            value=Decimal("1200"), destination="children", description="台灯和棉被。",
        )  # fmt: skip
        alone = list(active.filter(guardian="none").order_by("pk")[:4]) or list(active[:4])
        for school_children in _by_school(alone).values():
            hand(person, children=school_children, value="200", days_ago=10, items="台灯一盏")
        # 6. Just received: nothing handed over yet.
        donation(
            donor="重庆市某爱心人士", donor_kind="person", date=self.ago(3), kind="money",
            value=Decimal("10000"), destination="programme", programme=programmes["care"],
            description="用于心理关爱活动。",
        )  # fmt: skip


def _by_school(children) -> dict[int, list]:
    groups: dict[int, list] = {}
    for child in children:
        groups.setdefault(child.school_id, []).append(child)
    return groups


def seed(*, rng, by, users, today) -> dict:
    """Add the programmes' demo records; return {label: count} for the summary."""
    seeder = _Seeder(rng, by, users, today)
    seeder.home_visits()
    seeder.calls_and_parents()
    made = seeder.programmes()
    seeder.enrolments(made)
    seeder.donations(made)
    due = selectors.open_follow_ups(users["teacher"], today=today).count()
    seeder.add(_("follow-ups due for the demo teacher"), due)
    gaps = selectors.contact_gap_counts(by, today=today)
    seeder.add(_("children with no contact with a parent for 90 days or more"), gaps[90])
    return seeder.counts
