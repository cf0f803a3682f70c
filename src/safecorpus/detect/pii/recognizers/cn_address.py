"""Chinese addresses and place mentions.

Two kinds of candidate: (1) a structured address — administrative divisions (省/市/区/县/镇/乡/村) and a
street part (路/街/巷/弄/号/小区/大厦 …), scored high; (2) a bare place name from a gazetteer (provinces,
large cities, countries), scored low, since a place name alone rarely identifies anyone.
"""

from __future__ import annotations

import re

from safecorpus.detect.pii.recognizers._cn_common import PROVINCE_CODES
from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, trie_regex, words

_PROVINCES_FULL = tuple(v for k, v in PROVINCE_CODES.items() if k != "83")
PROVINCES_SHORT = words(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
)
CITIES = words(
    "广州 深圳 南京 杭州 武汉 成都 西安 沈阳 长春 哈尔滨 济南 青岛 郑州 长沙 福州 厦门 南昌 合肥 昆明 "
    "贵阳 南宁 海口 三亚 兰州 西宁 银川 乌鲁木齐 拉萨 呼和浩特 石家庄 太原 大连 苏州 无锡 常州 徐州 "
    "宁波 温州 绍兴 嘉兴 东莞 佛山 珠海 汕头 惠州 中山 泉州 烟台 潍坊 洛阳 宜昌 襄阳 株洲 岳阳 桂林 "
    "柳州 绵阳 遵义 大理 丽江 扬州 镇江 南通 盐城 芜湖 蚌埠 唐山 保定 邯郸 秦皇岛 大同 包头 鞍山 抚顺 "
    "吉林市 齐齐哈尔 大庆 淄博 临沂 济宁 威海 开封 南阳 九江 赣州 衡阳 常德 湛江 江门 北海 宜宾 泸州 "
    "南充 乐山 咸阳 宝鸡 延安 天水 喀什 伊犁 克拉玛依"
)
COUNTRIES = words(
    "中国 美国 日本 韩国 朝鲜 英国 法国 德国 意大利 西班牙 葡萄牙 荷兰 比利时 瑞士 瑞典 挪威 芬兰 丹麦 "
    "俄罗斯 乌克兰 波兰 希腊 土耳其 埃及 印度 巴基斯坦 泰国 越南 新加坡 马来西亚 印尼 印度尼西亚 "
    "菲律宾 澳大利亚 新西兰 加拿大 墨西哥 巴西 阿根廷 智利 秘鲁 古巴 南非 尼日利亚 肯尼亚 伊朗 伊拉克 "
    "以色列 沙特 叙利亚 阿富汗 蒙古 缅甸 柬埔寨 老挝 奥地利 匈牙利 捷克 爱尔兰 冰岛 北美 欧洲 亚洲 "
    "非洲 南美 东南亚 中东 纽约 伦敦 巴黎 东京 京都 大阪 首尔 莫斯科 柏林 罗马 威尼斯 米兰 洛杉矶 "
    "旧金山 芝加哥 华盛顿 波士顿 西雅图 夏威夷 温哥华 多伦多 悉尼 墨尔本 迪拜 曼谷 新德里 圣地亚哥 "
    "马德里 巴塞罗那 维也纳 布拉格 雅典"
)
# Suffixes of divisions and of street-level parts.
DIVISION = "省|自治区|特别行政区|市|自治州|地区|盟|州|区|县|旗|镇|乡|街道|村|屯"
STREET = (
    "路|大街|大道|街|巷|弄|胡同|里|小区|花园|公寓|大厦|广场|中心|新城|新村|苑|庄园|园区|社区|"
    "号楼|号院|码头|机场|火车站|车站|公园|球场|景区|环路|大桥"
)
_CJK = "\u4e00-\u9fff"
_NUM = "0-9一二三四五六七八九十百零"
# A division or street word must not run into words that make it something else (市场, 区别, 山东 …).
_NOT_AFTER = "场民长委政府域别分域间人们内外东西南北口高"
_NUMPART = re.compile(
    rf"(?:[{_NUM}]+[A-Za-z]?(?:号院|号楼|号|弄|巷|栋|幢|座|单元|室|楼|层|院|期)(?:之[{_NUM}]+)?)+"
)
_SUFFIX = re.compile(rf"{trie_regex((DIVISION + '|' + STREET).split('|'))}(?![{_NOT_AFTER}])")
# Characters that end an address on its left: particles, pronouns, verbs of residence, punctuation.
_STOP = set("于在住自的是到往从为：:，、和与及了们我你他她它这那去来把被向对给将也都还就又")
STRUCTURED = _SUFFIX.pattern  # gates the prefilter; :func:`find_addresses` proposes the spans


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Runs of address components (名+省/市/区/路/…), each with up to 7 characters before its suffix,
    joined when they follow one another, plus a trailing house number (123号, 3号楼2单元501室)."""
    hits = [m.span() for m in _SUFFIX.finditer(text)]
    out: list[tuple[int, int]] = []
    i, n = 0, len(hits)
    while i < n:
        s0, e0 = hits[i]
        i += 1
        j, k = s0, 0
        while j > 0 and k < 7 and _is_cjk(text[j - 1]) and text[j - 1] not in _STOP:
            j -= 1
            k += 1
        if j == s0 or (out and j < out[-1][1]):
            continue
        end = e0
        while i < n:
            s1, e1 = hits[i]
            gap = text[end:s1]
            if len(gap) <= 8 and all(_is_cjk(c) and c not in _STOP for c in gap):
                end = e1
                i += 1
                continue
            m = _NUMPART.match(text, end)
            if m and m.end() == s1:
                end = e1
                i += 1
                continue
            break
        m = _NUMPART.match(text, end)
        if m:
            end = m.end()
            while i < n and hits[i][0] < end:
                i += 1
        out.append((j, end))
    return out


_GAZ = sorted(set(_PROVINCES_FULL + PROVINCES_SHORT + CITIES + COUNTRIES), key=len, reverse=True)
GAZETTEER = trie_regex(_GAZ)
# Words after a place name that make the span an organisation, not an address.
ORG_AFTER = words(
    "大学 学院 中学 小学 银行 政府 公司 集团 队 电视台 日报 晚报 医院 大使馆 警方 法院 检察院 委员会 "
    "协会 时间 人 籍 话 菜 队员 足协"
)
_GAZ_SET = set(_GAZ)
_GAZ_RE = re.compile(GAZETTEER)
_ORG_RE = re.compile(trie_regex(ORG_AFTER))
_ORG_STRICT_RE = re.compile(trie_regex(ORG_AFTER[:13]))


_CUE_CHARS = _STOP


def _trim_prefix(value: str) -> int:
    """How many leading characters are verbs or particles rather than address (现居住于黑龙江省… → 4)."""
    first_div = min((i for i, c in enumerate(value) if c in "省市区县州镇乡村路街"), default=len(value))
    cut = 0
    for i in range(first_div):
        if value[i] in _CUE_CHARS:
            cut = i + 1
    m = _GAZ_RE.search(value, cut, first_div + 1)  # a known place starts the address even without a particle
    if m and m.start() > cut and value[m.start() - 1] not in "省市区县":
        cut = m.start()
    return cut


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    if value not in _GAZ_SET:
        cut = _trim_prefix(value)
        if cut:
            start += cut
            value = value[cut:]
            if len(value) < 2:
                return None
    if value in _GAZ_SET:
        if _ORG_RE.match(text, end):
            return None
        return Check(score=0.35, extra={"kind": "place"}, span=(start, end))
    # Structured: needs at least a known place, a number, or two components.
    has_number = (
        any(c.isdigit() or c in "一二三四五六七八九十" for c in value[-6:])
        and value[-1] in "号弄巷栋幢座室楼层元"
    )
    known = _GAZ_RE.match(value) is not None
    parts = sum(value.count(x) for x in ("省", "市", "区", "县", "镇", "乡", "村", "路", "街", "道", "号"))
    if not (has_number or known or parts >= 2):
        return None
    if _ORG_STRICT_RE.match(text, end):
        return None
    score = 0.85 if has_number and parts >= 2 else 0.7 if (parts >= 2 or has_number) else 0.5
    return Check(score=score, extra={"kind": "address"}, span=(start, end))


RECOGNIZER = Recognizer(
    name="cn_address",
    entity="ADDRESS",
    patterns=(Pattern("address", rf"{STRUCTURED}|{GAZETTEER}", 0.6, prefilter=False),),
    finder=lambda text: find_addresses(text) + [m.span() for m in _GAZ_RE.finditer(text)],
    validate=_validate,
    context=("住址", "地址", "家住", "居住", "现居", "位于", "住在", "户籍"),
    context_window=8,
    context_boost=0.1,
    languages=("zh",),
)
