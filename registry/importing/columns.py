"""The columns of the register's import files, in English and as a county clerk writes them.

Each column has its key (DESIGN.md's English name), its Chinese name, the synonyms clerks use,
and a parser turning a cell's text into a value or raising ``CellError`` with the reason.
Exports write the same columns (``headers``/``format_value``), so an export re-imports cleanly.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from registry import idnumber
from registry.importing.files import LOST_DIGITS
from registry.models import Child, GuardianType, School, SchoolLevel, Sex, Town, Village


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_YES = {"yes", "y", "true", "t", "1", "是", "有", "√", "✓", "✔"}
_NO = {"no", "n", "false", "f", "0", "否", "无", "没有", "×", "✗", ""}
_SEX = {
    "m": Sex.MALE, "male": Sex.MALE, "男": Sex.MALE, "男性": Sex.MALE,
    "f": Sex.FEMALE, "female": Sex.FEMALE, "女": Sex.FEMALE, "女性": Sex.FEMALE,
}  # fmt: skip
_GUARDIAN = {
    "grandparents": GuardianType.GRANDPARENTS, "祖辈": GuardianType.GRANDPARENTS,
    "祖父母": GuardianType.GRANDPARENTS, "外祖父母": GuardianType.GRANDPARENTS,
    "爷爷奶奶": GuardianType.GRANDPARENTS, "外公外婆": GuardianType.GRANDPARENTS,
    "祖辈监护": GuardianType.GRANDPARENTS,
    "mother": GuardianType.MOTHER, "母亲": GuardianType.MOTHER, "妈妈": GuardianType.MOTHER,
    "father": GuardianType.FATHER, "父亲": GuardianType.FATHER, "爸爸": GuardianType.FATHER,
    "relatives": GuardianType.RELATIVES, "亲戚": GuardianType.RELATIVES,
    "亲属": GuardianType.RELATIVES, "其他亲属": GuardianType.RELATIVES,
    "亲友": GuardianType.RELATIVES,
    "none": GuardianType.NONE, "无": GuardianType.NONE, "无人": GuardianType.NONE,
    "独居": GuardianType.NONE, "无人监护": GuardianType.NONE,
}  # fmt: skip
_LEVEL = {
    "primary": SchoolLevel.PRIMARY, "小学": SchoolLevel.PRIMARY,
    "middle": SchoolLevel.MIDDLE, "初中": SchoolLevel.MIDDLE, "中学": SchoolLevel.MIDDLE,
}  # fmt: skip
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def parse_text(max_length: int, required: bool = True) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = " ".join(text.split())
        if required and not value:
            raise CellError(_("This cell is empty; it is needed."))
        if len(value) > max_length:
            raise CellError(
                _("At most %(max)d characters; this has %(count)d.")
                % {"max": max_length, "count": len(value)}
            )
        return value

    return parse


def parse_yes_no(text: str) -> bool:
    key = _key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(_("Write yes or no (是 or 否), not “%(value)s”.") % {"value": text.strip()})


def _choice(aliases: dict, hint: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        key = _key(text)
        if not key:
            raise CellError(_("This cell is empty; it is needed."))
        try:
            return aliases[key]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text.strip(), "choices": hint}
            ) from None

    return parse


parse_sex = _choice(_SEX, "M, F, 男, 女")
parse_guardian = _choice(
    _GUARDIAN, "grandparents, mother, father, relatives, none, 祖辈, 母亲, 父亲, 亲戚, 无"
)
parse_level = _choice(_LEVEL, "primary, middle, 小学, 初中")


def parse_date(text: str) -> datetime.date:
    value = text.strip()
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if not value:
        raise CellError(_("This cell is empty; it is needed."))
    match = _CN_DATE.match(value)
    if match:
        value = "-".join(match.groups())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CellError(
        _("“%(value)s” is not a date: write it as 2012-03-05 (year-month-day).")
        % {"value": text.strip()}
    )


def parse_count(text: str) -> int:
    value = text.strip()
    if not value:
        return 0
    try:
        number = float(value)
    except ValueError:
        raise CellError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_integer() or number < 0:
        raise CellError(_("Write a whole number of 0 or more, not %(value)s.") % {"value": value})
    return int(number)


def parse_grade(text: str) -> int:
    """3, 3.0, 3年级, 三年级, 初一 (grade 7)… are all the same to a clerk."""
    value = _key(text).removesuffix("年级")
    if value.startswith("初") and len(value) == 2 and value[1] in "一二三":
        return _CN_DIGITS[value[1]] + 6
    if value in _CN_DIGITS:
        return _CN_DIGITS[value]
    if not value:
        raise CellError(_("This cell is empty; it is needed."))
    try:
        number = float(value)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a grade: write a number from 1 to 9.") % {"value": text.strip()}
        ) from None
    if not number.is_integer() or not 1 <= number <= 9:
        raise CellError(
            _("Grades of compulsory education are 1 to 9, not %(value)s.") % {"value": text.strip()}
        )
    return int(number)


def parse_id_number(text: str) -> str:
    if text.startswith(LOST_DIGITS):
        raise CellError(
            _(
                "Excel stored this identity number as a number and lost its last digits "
                "(%(value)s). Format the column as Text, type the numbers again, and save."
            )
            % {"value": text.removeprefix(LOST_DIGITS)}
        )
    value = idnumber.normalise(text)
    if not value:
        raise CellError(_("This cell is empty; it is needed."))
    return value


def _longest(model, name: str) -> int:
    """A text cell's limit is its field's: the form and the file allow the same length."""
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class ImportColumn:
    key: str
    zh: str
    parse: Callable[[str], object]
    required: bool = True
    synonyms: tuple[str, ...] = field(default=())

    def names(self) -> list[str]:
        return [self.key, self.zh, *self.synonyms]


SCHOOL_COLUMNS = [
    ImportColumn(
        "code",
        "学校代码",
        parse_text(_longest(School, "code")),
        synonyms=("学校编码", "学校编号", "代码"),
    ),
    ImportColumn(
        "name", "学校名称", parse_text(_longest(School, "name")), synonyms=("学校", "名称", "校名")
    ),
    ImportColumn(
        "town",
        "乡镇",
        parse_text(_longest(Town, "name")),
        synonyms=("乡镇(街道)", "乡镇街道", "所在乡镇", "镇"),
    ),
    ImportColumn("level", "学段", parse_level, synonyms=("学校类别", "类别", "学校类型")),
    ImportColumn(
        "boarding", "寄宿制", parse_yes_no, required=False, synonyms=("寄宿", "寄宿制学校")
    ),
    ImportColumn("bathroom", "浴室", parse_yes_no, required=False, synonyms=("有浴室",)),
    ImportColumn("canteen", "食堂", parse_yes_no, required=False, synonyms=("有食堂",)),
    ImportColumn(
        "family_phones", "亲情电话", parse_count, required=False, synonyms=("亲情电话数",)
    ),
    ImportColumn(
        "family_chat_rooms",
        "亲情聊天室",
        parse_count,
        required=False,
        synonyms=("亲情聊天室数", "亲情视频室", "亲情视频聊天室"),
    ),
]

CHILD_COLUMNS = [
    ImportColumn(
        "id_number", "身份证号", parse_id_number, synonyms=("身份证号码", "身份证", "公民身份号码")
    ),
    ImportColumn(
        "name", "姓名", parse_text(_longest(Child, "name")), synonyms=("儿童姓名", "学生姓名")
    ),
    ImportColumn("sex", "性别", parse_sex),
    ImportColumn(
        "date_of_birth", "出生日期", parse_date, synonyms=("出生年月日", "生日", "出生年月")
    ),
    ImportColumn(
        "school_code",
        "学校代码",
        parse_text(_longest(School, "code")),
        synonyms=("学校编码", "学校编号"),
    ),
    ImportColumn("grade", "年级", parse_grade, synonyms=("就读年级",)),
    ImportColumn(
        "town",
        "乡镇",
        parse_text(_longest(Town, "name")),
        synonyms=("乡镇(街道)", "乡镇街道", "户籍乡镇", "镇"),
    ),
    ImportColumn(
        "village",
        "村",
        parse_text(_longest(Village, "name")),
        synonyms=("村(社区)", "村社区", "社区", "村委会", "村(居)委会", "户籍村", "村居"),
    ),
    ImportColumn("father_away", "父亲外出", parse_yes_no, synonyms=("父亲外出务工", "父外出")),
    ImportColumn("mother_away", "母亲外出", parse_yes_no, synonyms=("母亲外出务工", "母外出")),
    ImportColumn(
        "guardian", "监护人", parse_guardian, synonyms=("监护类型", "监护情况", "监护方式")
    ),
    ImportColumn("boarding", "住校", parse_yes_no, required=False, synonyms=("寄宿", "是否住校")),
    ImportColumn(
        "poor", "贫困", parse_yes_no, required=False, synonyms=("贫困户", "建档立卡贫困户")
    ),
]


def header_key(text: str) -> str:
    """Spaces, case, underscores, brackets' content and a required-field star don't matter."""
    text = text.replace("\ufeff", "").strip().lower()
    text = text.replace("（", "(").replace("）", ")")
    bare = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[\s_\-*：:]", "", bare or text)


def match_header(header: list[str], columns: list[ImportColumn]):
    """(index of each column found, the header cells not understood, the missing columns)."""
    lookup: dict[str, ImportColumn] = {}
    for column in columns:
        for name in column.names():
            lookup.setdefault(header_key(name), column)
    found: dict[str, int] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    for index, cell in enumerate(header):
        column = lookup.get(header_key(cell))
        if column is None:
            if cell.strip():
                unknown.append(cell)
        elif column.key in found:
            duplicates.append(cell)
        else:
            found[column.key] = index
    missing = [c for c in columns if c.required and c.key not in found]
    return found, unknown, duplicates, missing


# --- Writing the same columns (exports and templates) -----------------------------------------

_ZH_VALUES = {
    "sex": {Sex.MALE: "男", Sex.FEMALE: "女"},
    "guardian": {
        GuardianType.GRANDPARENTS: "祖辈",
        GuardianType.MOTHER: "母亲",
        GuardianType.FATHER: "父亲",
        GuardianType.RELATIVES: "亲戚",
        GuardianType.NONE: "无",
    },
    "level": {SchoolLevel.PRIMARY: "小学", SchoolLevel.MIDDLE: "初中"},
}


def headers(columns: list[ImportColumn], chinese: bool) -> list[str]:
    return [c.zh if chinese else c.key for c in columns]


def format_value(key: str, value, chinese: bool) -> str:
    """A value as the import reads it back: 是/否 or yes/no, 男/女 or M/F, ISO dates."""
    if isinstance(value, bool):
        return ("是" if value else "否") if chinese else ("yes" if value else "no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if chinese and key in _ZH_VALUES:
        return _ZH_VALUES[key].get(value, value)
    return "" if value is None else str(value)
