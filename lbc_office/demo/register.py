"""The demo county's register: users, towns, villages, schools, family rooms, children and their
families, status changes and consents, drawn from one ``random.Random`` through
``registry.services`` (see lbc_office/demo/county.py, which runs it)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from lbc_office.core.models import User
from lbc_office.demo import data
from registry import consent as registry_consent
from registry import services
from registry.idnumber import check_digit_for
from registry.models import (
    Child,
    ChildStatus,
    County,
    FamilyRoom,
    Guardian,
    GuardianType,
    School,
    SchoolLevel,
    Town,
    Village,
)


class Generator:
    def __init__(self, rng: random.Random, password: str):
        self.rng = rng
        self.password = password
        self.today = timezone.localdate()
        # The school year starts on 1 September.
        self.school_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        self.used_ids: set[str] = set()
        self.sizes: dict[int, int] = {}  # school pk → relative number of children
        self.area = data.COUNTY[0]  # the first six digits of the identity numbers it makes
        self.hashed = ""

    # --- names, numbers, dates ------------------------------------------------------------

    def surname(self) -> str:
        pool = data.LOCAL_SURNAMES if self.rng.random() < 0.4 else data.SURNAMES
        return self.rng.choice(pool)

    def phone(self) -> str:
        return self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def id_number(self, birth: datetime.date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{self.area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + check_digit_for(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def birth_date(self, grade: int) -> datetime.date:
        """Six by 31 August of the year they started school; a few repeated a year."""
        start = self.school_year - grade + 1 - (1 if self.rng.random() < 0.06 else 0)
        return self.day_between(datetime.date(start - 7, 9, 1), datetime.date(start - 6, 8, 31))

    # --- places and people ----------------------------------------------------------------

    def users(self, rows=data.USERS, hashed: str = "") -> dict[str, User]:
        # Hashing is slow on purpose: do it once (``hashed``: another generator's hash).
        hashed = self.hashed = hashed or self.hashed or make_password(self.password)
        users = {}
        for username, full_name, role, phone, county_code in rows:
            user = User(
                username=username, role=role, full_name=full_name, phone=phone,
                county_code=county_code,
            )  # fmt: skip
            user.password = hashed
            user.full_clean()
            user.save()
            users[username] = user
        return users

    def places(self, by: User, county=data.COUNTY, town_rows=data.TOWNS, school_rows=data.SCHOOLS):
        """A county (code, name) with its towns, villages, schools and family rooms."""
        self.area = county[0]
        county = services.save_county(county=County(), by=by, code=county[0], name=county[1])
        towns, villages = {}, {}
        for name, kind, village_names in town_rows:
            town = services.save_town(town=Town(), by=by, county=county, name=name, kind=kind)
            towns[name] = town
            villages[name] = [
                services.save_village(
                    village=Village(),
                    by=by,
                    town=town,
                    name=v,
                    kind=data._N if v.endswith("社区") else Village.Kind.VILLAGE,
                )
                for v in village_names
            ]
        schools, rooms = [], 0
        for n, town, name, level, boarding, bathroom, canteen, size, kinds in school_rows:
            school = services.save_school(
                school=School(),
                by=by,
                town=towns[town],
                code=f"{county.code}{n:04d}",
                name=name,
                level=level,
                boarding=boarding,
                bathroom=bathroom,
                canteen=canteen,
            )
            schools.append(school)
            self.sizes[school.pk] = size
            for i, kind in enumerate(kinds):
                label = data.ROOM_LABELS[kind][kinds[:i].count(kind)]
                kind = FamilyRoom.Kind.PHONE if kind == "P" else FamilyRoom.Kind.CHAT_ROOM
                services.save_family_room(
                    room=FamilyRoom(), by=by, school=school, kind=kind, label=label
                )
                rooms += 1
        return county, towns, villages, schools, rooms

    # --- children ---------------------------------------------------------------------------

    def children(self, count: int, schools, villages, by: User) -> list[tuple[Child, str]]:
        rng = self.rng
        # 30 % exactly with both parents away (29.8 % in Wuxi's 2011 table), in random order.
        both = [i < round(count * 0.3) for i in range(count)]
        rng.shuffle(both)
        made = []
        feeders = sorted(set(villages) - {s.town.name for s in schools if s.level == data._M})
        for both_away in both:
            school = rng.choices(schools, weights=[self.sizes[s.pk] for s in schools])[0]
            primary = school.level == SchoolLevel.PRIMARY
            grade = rng.choice(list(school.grades))
            sex = rng.choice("MF")
            birth = self.birth_date(grade)
            home = school.town.name
            if not primary and rng.random() < 0.3:  # and from towns that have no middle school
                home = rng.choice(feeders)
            father, mother, guardian, unable, notes = self.family(both_away, grade)
            wishes = [
                w for w in data.WISHES if ("妈" not in w or mother) and ("爸" not in w or father)
            ]
            board_rate = 0.7 if not primary else (0.35 if grade >= 4 else 0.08)
            child = services.create_child(
                by=by,
                id_number=self.id_number(birth, sex),
                name=self.surname() + rng.choice(data.BOYS if sex == "M" else data.GIRLS),
                sex=sex,
                date_of_birth=birth,
                school=school,
                grade=grade,
                village=rng.choice(villages[home]),
                father_away=father,
                mother_away=mother,
                remaining_parent_unable=unable,
                guardian=guardian,
                boarding=school.boarding and rng.random() < board_rate,
                poor=rng.random() < (0.24 if primary else 0.08),
                wishes=rng.choice(wishes) if rng.random() < 0.12 else "",
                notes=notes,
            )
            city = self.parents_away(child, by)
            self.guardians(child, by)
            self.health_checks(child, by)
            made.append((child, city))
        return made

    def family(self, both_away: bool, grade: int) -> tuple[bool, bool, str, bool, str]:
        """Who is away, who looks after the child, whether the parent at home cannot, notes."""
        rng, G = self.rng, GuardianType
        if both_away:
            guardian = rng.choices([G.GRANDPARENTS, G.RELATIVES, G.NONE], weights=[78, 15, 7])[0]
            if guardian == G.NONE and grade >= 5:  # only older children are left on their own
                return True, True, guardian, False, "独自在家居住，周末由邻居照看。"
            return True, True, guardian if guardian != G.NONE else G.GRANDPARENTS, False, ""
        father = rng.random() < 0.72
        stayed = G.MOTHER if father else G.FATHER
        guardian = rng.choices([stayed, G.GRANDPARENTS, G.RELATIVES], weights=[40, 50, 10])[0]
        if guardian != stayed and rng.random() < 0.6:
            note = rng.choice(data.UNABLE_NOTES).format(p="母亲" if father else "父亲")
            return father, not father, guardian, True, note
        return father, not father, guardian, False, ""

    def parents_away(self, child: Child, by: User) -> str:
        rng = self.rng
        province, city, _w = rng.choices(data.WORKPLACES, weights=[w[2] for w in data.WORKPLACES])[
            0
        ]
        earliest = max(
            child.date_of_birth + datetime.timedelta(days=180),
            self.today - datetime.timedelta(days=3650),
        )
        for relation, away, names in (
            ("father", child.father_away, data.FATHERS),
            ("mother", child.mother_away, data.MOTHERS),
        ):
            if not away:
                continue
            if rng.random() < 0.3:  # the parents do not always work in the same city
                province, city, _w = rng.choice(data.WORKPLACES)
            surname = child.name[0] if relation == "father" else self.surname()
            services.save_parent_away(
                child=child,
                relation=relation,
                by=by,
                name=surname + rng.choice(names),
                phone=self.phone() if rng.random() < 0.9 else "",
                work_city=city,
                work_province=province,
                away_since=self.day_between(earliest, self.today - datetime.timedelta(days=60)),
            )
        return city

    def guardians(self, child: Child, by: User) -> None:
        rng = self.rng
        born = child.date_of_birth.year
        G, R = GuardianType, Guardian.Relation
        rows = []  # relation, name, birth year, schooling
        if child.guardian == G.GRANDPARENTS:
            who = rng.choices(["gm", "gf", "both"], weights=[50, 15, 35])[0]
            if who in ("gf", "both"):
                rows.append((R.GRANDFATHER, child.name[0] + rng.choice(data.GRANDFATHERS)))
            if who in ("gm", "both"):
                rows.append((R.GRANDMOTHER, self.surname() + rng.choice(data.GRANDMOTHERS)))
            schooling = rng.choices(["none", "primary", "middle"], weights=[45, 48, 7], k=2)
            rows = [
                (rel, name, min(1970, max(1950, born - rng.randint(44, 60))), schooling[n])
                for n, (rel, name) in enumerate(rows)
            ]
        elif child.guardian in (G.MOTHER, G.FATHER):
            rel, names = (
                (R.MOTHER, data.MOTHERS) if child.guardian == G.MOTHER else (R.FATHER, data.FATHERS)
            )
            surname = child.name[0] if rel == R.FATHER else self.surname()
            schooling = rng.choice(["primary", "middle", "middle", "high"])
            rows.append((rel, surname + rng.choice(names), born - rng.randint(21, 34), schooling))
        elif child.guardian == G.RELATIVES:
            if rng.random() < 0.8 or self.today.year - born < 10:
                name = self.surname() + rng.choice(data.MOTHERS + data.FATHERS)
                schooling = rng.choice(["primary", "middle"])
                rows.append((R.UNCLE_AUNT, name, born - rng.randint(22, 40), schooling))
            else:
                year = min(self.today.year - 18, born - rng.randint(6, 10))
                rows.append(
                    (R.SIBLING, child.name[0] + rng.choice(data.BOYS + data.GIRLS), year, "high")
                )
        for relation, name, year, schooling in rows:
            old = relation in (R.GRANDFATHER, R.GRANDMOTHER)
            services.save_guardian(
                guardian=Guardian(child=child),
                by=by,
                name=name,
                relation=relation,
                phone=self.phone() if rng.random() < (0.5 if old else 0.95) else "",
                birth_year=year,
                schooling=schooling,
                notes=rng.choice(data.GUARDIAN_NOTES) if old and rng.random() < 0.5 else "",
            )

    def health_checks(self, child: Child, by: User) -> None:
        rng = self.rng
        z = max(-2.5, min(2.5, rng.gauss(-0.2, 1)))  # one child keeps one growth curve
        fat = rng.gauss(0, 1.2)
        latest = self.today - datetime.timedelta(days=rng.randint(20, 300))
        dates = [latest] + ([latest - datetime.timedelta(days=365)] if rng.random() < 0.6 else [])
        for day in dates:
            age = (day - child.date_of_birth).days / 365.25
            table = data.HEIGHT[child.sex]
            i = min(max(int(age) - 6, 0), len(table) - 2)
            height = table[i] + (table[i + 1] - table[i]) * min(max(age - 6 - i, 0), 1) + z * 5.5
            bmi = 15.2 + max(0.0, age - 8) * 0.45 + fat
            weight = bmi * (height / 100) ** 2
            services.record_health_check(
                child=child,
                by=by,
                date=day,
                height_cm=Decimal(f"{height:.1f}"),
                weight_kg=Decimal(f"{weight:.1f}"),
                notes=rng.choice(data.HEALTH_FINDINGS) if rng.random() < 0.15 else "",
            )

    def consents(self, made, by) -> int:
        """Most guardians have signed (some not for photos); a few files still wait, and one
        is kept by an official's override."""
        count = 0
        for n, (child, _city) in enumerate(made):
            guardian = child.guardians.first()
            if child.status != ChildStatus.ACTIVE or guardian is None:
                continue
            if n % 11 == 0:
                continue  # still to do: these show on the "without consent" list
            if n == 1:
                registry_consent.record_consent_override(
                    child=child, by=by, reason="监护人外出务工联系不上，先行建档，待返乡后补签。"
                )
            else:
                _consent(self, child, guardian, by, photos=self.rng.random() < 0.7)
            count += 1
        return count

    def status_changes(self, made: list[tuple[Child, str]], by: User) -> int:
        rng = self.rng
        picked = rng.sample(made, min(len(made), round(len(made) * 0.025)))
        for n, (child, city) in enumerate(picked):
            who = "父母" if child.both_parents_away else ("父亲" if child.father_away else "母亲")
            status, reason = [
                (ChildStatus.REUNITED, f"{who}返乡在县城就业，孩子回到父母身边。"),
                (ChildStatus.MOVED_WITH_PARENTS, f"随父母到{city}读书。"),
                (ChildStatus.TRANSFERRED, "随亲戚转学至奉节县。"),
            ][n % 3]
            services.change_child_status(
                child=child,
                status=status,
                on=self.today - datetime.timedelta(days=rng.randint(3, 90)),
                reason=reason,
                by=by,
            )
        return len(picked)


def _consent(gen, child, guardian, by, *, photos: bool) -> None:
    registry_consent.record_consent(
        child=child, by=by,
        date=gen.day_between(gen.today - datetime.timedelta(days=300), gen.today),
        guardian_name=guardian.name, guardian_relation=guardian.relation, keep_file=True,
        share_with_volunteers=gen.rng.random() < 0.9, photos=photos,
    )  # fmt: skip
