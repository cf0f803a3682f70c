"""Chinese personal names: a surname (single or compound) and a one- or two-character given name, taken
only where a context cue stands right before it (姓名：, 患者, 医生 …) or right after it (先生, 女士,
是一位, 说, 的身份证 …). Without a segmentation model this favours precision on running text."""

from __future__ import annotations

import re

import ahocorasick_rs

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, trie_regex, words

# Common single-character surnames (frequency order, condensed) and compound surnames.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查"
    "麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝区郜阚权帅屠豆朴盖练廉禹井"
    "祖漆巴丰支卿狄计索宣晋初门云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危"
    "亢嵇湛宾戎勾茅揭尉冶斯束檀衣展阴昝智幸奉植衡富尧"
)
COMPOUND_SURNAMES = words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 南宫 独孤 轩辕 西门 "
    "呼延 申屠 澹台 百里 东郭 钟离 闻人"
)
LEFT_CUES = words(
    "姓名： 姓名: 姓名 名叫 叫做 患者 病人 医生 医师 大夫 护士 联系人： 联系人 客户 用户 学生 员工 "
    "经理 老师 教授 记者 嫌疑人 被告人 原告 被告 申请人 法定代表人 负责人 收件人 收货人 持卡人 户主 "
    "主治医生 委托人 同学 朋友 丈夫 妻子 儿子 女儿 先生 女士"
)
RIGHT_STRONG = words(
    "先生 女士 小姐 医生 医师 大夫 教授 老师 同学 律师 经理 主任 院长 博士 同志 是一位 是一名 是个 "
    "现年 今年 出生于 出生在 现居 居住 的身份证 的手机 的电话 的邮箱 的信用 的年收入 的月收入 的收入 "
    "的住址 的家 的病 的症状 的诊断 的银行 的账户 说 表示 指出 认为 告诉 透露 介绍 称 患有 确诊 被诊断 "
    "近期 最近 目前 通过 可通过 因 岁 ，男 ，女 ，现 （男 （女"
)
RIGHT_WEAK = ("的", "是", "在", "和", "与", "，", "。", "、", "曾", "已", "正", "将", "也", "还", "）", ")")
# Characters that do not occur in given names (function words, units, place suffixes).
STOP_CHARS = set(
    "的了是在和有我你他她它这那不也都就们个上下中来去说要会能对为与及或而但被把从向于之以其所并等吗呢吧啊"
    "年时分元号岁省市区县路街镇村医生师先女士姐教授老同学律经理主任院长博称因患确近目通可居出现今"
)

# Common words that start with a surname character and are followed by the same cues as names.
COMMON_WORDS = frozenset(
    words(
        "万一 乔装 于是 任何 任务 余额 全国 全部 全面 关于 关系 关键 农业 农民 冷静 冼澡 凌晨 包括 包装 "
        "华人 卓越 单位 卫生 古人 古代 古老 史上 叶子 司机 吉祥 向上 周围 周末 唐朝 商业 商品 夏天 夏季 "
        "孙子 季节 宁可 安全 安排 宋朝 宗教 宫殿 尚未 岳父 左右 左边 师傅 席位 常常 应用 应该 康复 成为 "
        "成功 成绩 文件 文化 文章 方式 方法 方面 时候 时间 明天 明年 明显 明朝 易于 曲线 曾经 杜绝 林业 "
        "柏林 柯南 梁上 梅花 楚国 毕业 毛病 水平 汉朝 江湖 沙发 温度 温暖 游戏 燕子 牛奶 王国 甘心 田野 "
        "白天 白色 皮肤 盛大 石油 祝福 秋天 秦朝 程序 程度 穆斯林 童年 符合 简单 管理 米饭 纪录 胡同 艾滋 "
        "苏醒 荣誉 蓝色 解决 解释 许多 谢谢 谷歌 贾宝玉 路上 路线 车上 车辆 连续 邓小平 邢台 郭外 金融 "
        "金额 钱包 雷达 韩国 项目 马上 高兴 高度 高级 黄金 齐全 齐鲁 龙头"
    )
)
_SURNAME_ALT = trie_regex(COMPOUND_SURNAMES) + f"|[{SURNAMES}]"
_FIRSTS = "".join(sorted(set(SURNAMES) | {c[0] for c in COMPOUND_SURNAMES}))
_SINGLE = frozenset(SURNAMES)
_CJK = "\u4e00-\u9fff"
_RS = trie_regex(RIGHT_STRONG)
_RW = trie_regex(RIGHT_WEAK)
_L = trie_regex(LEFT_CUES)

# Starts with a character class so that ``re`` skips quickly to surname characters; the validation hook
# then checks the surname (single or compound) and the given name's length.
RIGHT_STRONG_RE = rf"[{_FIRSTS}][{_CJK}]{{1,3}}(?={_RS})"
# A weak cue (的, 是, ，…) counts only when the name starts a clause; the look-behind sits after the first
# character so that ``re`` can still skip quickly to surname characters.
RIGHT_WEAK_RE = rf"[{SURNAMES}](?<![{_CJK}].)[{_CJK}]{{1,2}}(?={_RW})"
# Prefilter gates (see ``Pattern.gate``): the cue that each look-ahead requires, and for the weak cue
# the non-Chinese character (or the text start) that its look-behind requires, written out as characters.
RIGHT_STRONG_GATE = rf"[{_FIRSTS}][{_CJK}]{{1,3}}(?:{_RS})"
RIGHT_WEAK_GATE = rf"(?:^|[^{_CJK}])[{SURNAMES}][{_CJK}]{{1,2}}(?:{_RW})"
_RS_AC = ahocorasick_rs.AhoCorasick(list(RIGHT_STRONG), matchkind=ahocorasick_rs.MatchKind.Standard)
_FIRST_SET = frozenset(_FIRSTS)


def find_right_strong(text: str) -> list[tuple[int, int]]:
    """The spans ``RIGHT_STRONG_RE`` finds, from the cue words outwards: every position where a strong cue
    starts (all overlapping cue matches), then a surname character 2–4 code points before it and CJK in
    between, scanned left to right without overlaps as ``finditer`` does. ``re`` would instead try the
    pattern at every surname character, which are a sixth of all characters in Chinese text."""
    cues = {s for _, s, _ in _RS_AC.find_matches_as_indexes(text, overlapping=True)}
    if not cues:
        return []
    out: list[tuple[int, int]] = []
    resume = 0
    for p in sorted({q - k for q in cues for k in (2, 3, 4) if q - k >= 0}):
        if p < resume or text[p] not in _FIRST_SET:
            continue
        for k in (3, 2, 1):  # greedy {1,3}, as the regex backtracks
            e = p + 1 + k
            if e in cues and all("\u4e00" <= c <= "\u9fff" for c in text[p + 1 : e]):
                out.append((p, e))
                resume = e
                break
    return out


_LEFT_MATCH = re.compile(_L)
_STRONG_MATCH = re.compile(_RS)
LEFT_RE = rf"(?:{_L})(?:{_SURNAME_ALT})[{_CJK}]{{1,2}}"
_COMPOUND = set(COMPOUND_SURNAMES)
_CJK_CHAR = re.compile(f"[{_CJK}]")
# Without a left cue, a candidate right after another Chinese character is taken only when that character
# can end the word before a name (a function word, a verb of address, a title's last character: 记者,
# 总裁, 阿姨 …); otherwise it is usually the tail of a longer word (风景照片，现场 / 小区物业介绍 / 俱乐部).
BEFORE_NAME = set(
    "的了和与跟同及或是在给对向让被把请问由为从据将等叫称找见替帮陪位名姓而如像有后前说到过于至告受今去经"
    "生师者长理院期人员监任事家演裁辑手卫管编委官教授士姐哥弟妹兄爷奶叔姨舅嫂女男友"
)


def _surname_len(name: str) -> int:
    return 2 if name[:2] in _COMPOUND else 1


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s, e = start, end
    cm = _LEFT_MATCH.match(value)
    cue = cm.group() if cm else None
    if cue:
        s += len(cue)
        # Trim trailing characters that cannot be part of a given name (患者王芳说 → 王芳).
        while e - s > _surname_len(text[s:e]) + 1 and text[e - 1] in STOP_CHARS:
            e -= 1
    name = text[s:e]
    if len(name) < 2:
        return None
    k = _surname_len(name)
    if k == 1 and name[0] not in _SINGLE:
        return None
    given = name[k:]
    if not given or len(given) > 2 or any(c in STOP_CHARS for c in given) or name in COMMON_WORDS:
        return None
    if cue:
        score = 0.85
    elif s > 0 and _CJK_CHAR.match(text, s - 1) and text[s - 1] not in BEFORE_NAME:
        return None
    else:
        strong = _STRONG_MATCH.match(text, e) is not None
        score = 0.85 if strong else 0.5
    if len(given) == 2:
        score += 0.05
    return Check(score=min(score, 0.95), span=(s, e))


RECOGNIZER = Recognizer(
    name="cn_person_name",
    entity="PERSON",
    patterns=(
        Pattern("left_cue", LEFT_RE, 0.85),
        Pattern("right_strong", RIGHT_STRONG_RE, 0.85, finder=find_right_strong, gate=RIGHT_STRONG_GATE),
        Pattern("right_weak", RIGHT_WEAK_RE, 0.5, gate=RIGHT_WEAK_GATE),
    ),
    validate=_validate,
    languages=("zh",),
    version="1",
)
