"""The demo county's fixed material: towns and schools of Wuxi, names, and the words its
generated records are made of (lbc_office/demo/county.py draws from them)."""

from __future__ import annotations

from lbc_office.core.models import Role
from registry.models import SchoolLevel, Town, Village

DEFAULT_PASSWORD = "lbc-demo-2026"
DEFAULT_SEED = 2011
DEFAULT_CHILDREN = 300
COUNTY = ("500238", "巫溪县")
# The neighbour county of the same city (Chongqing): its own towns, schools and children, and
# its own official, so that the demo shows two counties each seeing only their own.
NEIGHBOUR = ("500229", "城口县")
NEIGHBOUR_CHILDREN = 36

# username, full name, role, phone, county code ("" for the city)
USERS = [
    ("official", "谭晓梅", Role.OFFICIAL, "023-51521234", COUNTY[0]),
    ("teacher", "向春燕", Role.TEACHER, "13908281234", COUNTY[0]),
    ("volunteer", "刘芳", Role.VOLUNTEER, "15923451234", COUNTY[0]),
    ("viewer", "冉建国", Role.VIEWER, "", COUNTY[0]),
    ("partner", "陈玉兰", Role.PARTNER, "13896751234", COUNTY[0]),  # the women's federation's
]
# Made after Wuxi's records (which stay as they were): Chengkou's official and the city's.
MORE_USERS = [
    ("chengkou", "李国庆", Role.OFFICIAL, "023-59221234", NEIGHBOUR[0]),
    ("city", "周文静", Role.OFFICIAL, "023-63891234", ""),  # a municipal official: reads all
]
ALL_USERS = USERS + MORE_USERS
TEACHER_SCHOOLS = ["5002380004", "5002380005"]

_N = Village.Kind.NEIGHBOURHOOD
_T, _TS, _SD = Town.Kind.TOWN, Town.Kind.TOWNSHIP, Town.Kind.SUBDISTRICT
# town, kind, village committees (a name ending in 社区 is a neighbourhood committee)
TOWNS = [
    ("柏杨街道", _SD, ["柏杨社区", "玉泉社区", "双阳村", "石龙村"]),
    ("宁河街道", _SD, ["滨河社区", "城厢社区", "红旗村", "大河村"]),
    ("凤凰镇", _T, ["凤凰社区", "红池村", "金龙村", "桃园村", "新华村"]),
    ("宁厂镇", _T, ["宁厂社区", "盐泉村", "双溪村"]),
    ("上磺镇", _T, ["上磺社区", "羊桥村", "观峰村", "东风村"]),
    ("古路镇", _T, ["古路社区", "观音村", "长坪村", "向阳村"]),
    ("文峰镇", _T, ["文峰社区", "大坪村", "青龙村"]),
    ("白鹿镇", _T, ["白鹿社区", "大坝村", "新民村", "三坪村"]),
    ("花台乡", _TS, ["花台村", "中坝村", "堰塘村"]),
    ("兰英乡", _TS, ["兰英村", "西安村", "大包村"]),
]

_P, _M = SchoolLevel.PRIMARY, SchoolLevel.MIDDLE
# code suffix, town, name, level, boarding, bathroom, canteen, relative size, family rooms
# (family rooms: P = a family phone, C = a chat room)
SCHOOLS = [
    (1, "宁河街道", "巫溪县宁河小学", _P, False, False, True, 12, ""),
    (2, "柏杨街道", "巫溪县柏杨小学", _P, False, False, True, 10, "P"),
    (3, "柏杨街道", "巫溪县柏杨中学", _M, True, True, True, 18, "PPC"),
    (4, "凤凰镇", "巫溪县凤凰镇中心小学", _P, True, False, True, 10, "PC"),
    (5, "凤凰镇", "巫溪县凤凰中学", _M, True, True, True, 14, "PC"),
    (6, "宁厂镇", "巫溪县宁厂镇中心小学", _P, False, False, False, 5, ""),
    (7, "上磺镇", "巫溪县上磺镇中心小学", _P, True, True, True, 8, ""),
    (8, "上磺镇", "巫溪县上磺中学", _M, True, True, True, 12, "PC"),
    (9, "古路镇", "巫溪县古路镇中心小学", _P, True, False, True, 7, ""),
    (10, "文峰镇", "巫溪县文峰镇中心小学", _P, False, False, True, 6, ""),
    (11, "白鹿镇", "巫溪县白鹿中学", _M, True, True, True, 11, "C"),
    (12, "白鹿镇", "巫溪县白鹿镇中心小学", _P, True, False, True, 8, ""),
    (13, "花台乡", "巫溪县花台乡中心小学", _P, True, False, True, 5, "P"),
    (14, "兰英乡", "巫溪县兰英乡中心小学", _P, False, False, True, 4, ""),
]
# Chengkou (城口县): town, kind, village committees; then its schools as above.
NEIGHBOUR_TOWNS = [
    ("葛城街道", _SD, ["南大街社区", "北大街社区", "龙王村"]),
    ("复兴街道", _SD, ["复兴社区", "柏树村"]),
    ("坪坝镇", _T, ["坪坝社区", "光明村", "新华村"]),
    ("修齐镇", _T, ["修齐社区", "东河村"]),
    ("高观镇", _T, ["高观社区", "星光村"]),
]
NEIGHBOUR_SCHOOLS = [
    (1, "葛城街道", "城口县葛城小学", _P, False, False, True, 10, "P"),
    (2, "葛城街道", "城口中学", _M, True, True, True, 12, "C"),
    (3, "复兴街道", "城口县复兴小学", _P, False, False, True, 6, ""),
    (4, "坪坝镇", "城口县坪坝镇中心小学", _P, True, False, True, 6, ""),
    (5, "修齐镇", "城口县修齐镇中心小学", _P, True, False, True, 4, ""),
    (6, "高观镇", "城口县高观镇中心小学", _P, True, False, True, 4, ""),
]
ROOM_LABELS = {
    "P": ["亲情电话（教学楼一楼）", "亲情电话（宿舍楼值班室）"],
    "C": ["亲情聊天室（图书室旁）"],
}


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
LOCAL_SURNAMES = "向谭覃刘李王张陈杨黄周邓唐冉"  # common in the Three Gorges hills
BOYS = _words(
    "浩然 子轩 宇航 俊杰 博文 家豪 文博 明轩 志强 嘉豪 思远 梓豪 一鸣 天佑 鑫磊 雨泽 晨阳 "
    "宇涛 俊宇 子豪 浩宇 家乐 建宇 俊熙 锦程 承志 振宇 泽宇 皓轩 宏伟 小龙 金鹏 成林 星辰"
)
GIRLS = _words(
    "欣怡 梓涵 雨欣 思琪 诗涵 佳怡 子涵 雨涵 可馨 梦瑶 婉清 晓雪 静怡 欣妍 心怡 佳琪 雅婷 "
    "思雨 语嫣 馨月 若曦 雨桐 诗琪 梦琪 慧敏 佳慧 晓琳 春燕 秋月 小雪 丹丹 美琳 紫薇 芳芳"
)
FATHERS = _words("建华 国平 永强 海波 军华 勇刚 志勇 德胜 明亮 学文 大春 光辉 长江 小兵 红军 世军")
MOTHERS = _words("小燕 丽萍 红梅 春花 晓琴 秀梅 玉梅 丽君 海燕 小芳 艳红 桂香 翠萍 小琴")
GRANDFATHERS = _words("德明 世华 国富 正清 光荣 开贵 明全 大发 家顺 成才 永福 树清")
GRANDMOTHERS = _words("秀英 桂兰 玉珍 翠花 春梅 淑芬 金凤 素珍 兰英 秀珍 凤英 桂芳 玉兰 德秀")
MOBILE_PREFIXES = _words("130 131 133 135 136 137 138 139 150 151 152 153 158 159 180 187 189")
# province, city, weight: where Wuxi's parents go to work
WORKPLACES = [
    ("广东", "东莞", 5), ("广东", "深圳", 3), ("广东", "广州", 2), ("浙江", "宁波", 3),
    ("浙江", "温州", 1), ("福建", "厦门", 2), ("福建", "泉州", 1), ("重庆", "主城", 5),
    ("江苏", "苏州", 2), ("上海", "上海", 2), ("北京", "北京", 1), ("新疆", "乌鲁木齐", 1),
    ("湖北", "武汉", 1), ("四川", "成都", 1),
]  # fmt: skip
WISHES = [
    "想让妈妈过年回家", "想要一个台灯写作业", "希望爸爸妈妈能回来开一次家长会",
    "想去爸爸打工的地方看看", "想要一双新球鞋", "希望奶奶的腿快点好起来",
    "想每个星期和妈妈视频一次", "想要几本课外书", "想学画画", "希望放学后有人教我做作业",
    "想和爸爸妈妈一起过生日", "冬天太冷，想要一件厚棉衣", "长大想当老师", "不想再转学了",
]  # fmt: skip
# Why the parent at home cannot be the guardian ({p}: 父亲 or 母亲).
UNABLE_NOTES = [
    "{p}长期患病，无法照顾孩子。",
    "{p}腿有残疾，不能下地，由祖辈照看。",
    "{p}在县医院住院治疗。",
]
HEALTH_FINDINGS = ["视力下降，建议配镜。", "龋齿两颗。", "轻度贫血。", "偏瘦，建议加强营养。"]
GUARDIAN_NOTES = ["高血压，长期服药。", "腿脚不便。", "视力不好，看不清作业本。", "身体尚可。"]
# Median height (cm) at ages 6..16, boys and girls (rural children, Chinese growth charts).
HEIGHT = {
    "M": [117, 123, 129, 134, 139, 144, 150, 157, 163, 167, 169],
    "F": [116, 122, 128, 133, 139, 145, 151, 155, 157, 158, 159],
}

# Home visits and calls (lbc_office/demo/programmes.py).
MET = ["grandparents"] * 6 + ["mother", "father", "relatives", "child_only"]
SITUATIONS = [
    "奶奶七十多岁，有高血压，白天要下地干活，晚上能照看孩子吃饭睡觉。",
    "爷爷奶奶都不识字，辅导不了作业，孩子作业常常没人检查。",
    "母亲在家务农，身体尚可，但要照顾两个孩子和老人，精力有限。",
    "姑姑家有三个孩子，对这个孩子照顾不太细，孩子比较拘谨。",
    "爷爷腿脚不便，家里离学校远，孩子每天走四十分钟山路上学。",
]
COMMUNITY = [
    "村里没有图书室，周末孩子多在家看电视。",
    "村委会有留守儿童之家，周末有志愿者来辅导作业。",
    "村小已撤并，孩子们都到镇上寄宿读书。",
]
RECOMMENDATIONS = {
    "education": ["每周安排两次课后辅导，重点补数学。", "建议班主任每周检查一次作业完成情况。"],
    "safety": ["提醒不要独自下河游泳。", "家中电线老化，建议请电工检查。", "上学路上注意过马路。"],
    "behaviour": ["孩子有时说谎，建议多表扬、少打骂。", "沉迷手机游戏，建议家长限制使用时间。"],
    "physical_health": ["视力下降，建议到县医院配镜。", "偏瘦，建议在校加一个鸡蛋。"],
    "mental_health": [
        "想念妈妈，情绪低落，建议每周和父母视频一次。",
        "性格内向，请心理老师多关注。",
    ],
}
CHILD_SAID = [
    "想让妈妈过年早点回来。",
    "希望爸爸能来开一次家长会。",
    "想要一盏台灯写作业。",
    "不想再住校了，晚上想家。",
    "长大了想当医生，给奶奶治腿。",
]
FOLLOW_UP_NOTES = ["看看辅导有没有效果", "确认是否配了眼镜", "再和奶奶谈一次", "了解父母是否回信"]
CALL_NOTES = ["", "", "", "说了期中考试成绩", "妈妈答应过年回来", "孩子哭了，之后情绪好转"]
