"""Interface strings in Chinese and English; the language comes from ?lang=, a cookie, or the user."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"zh": "safecorpus 人工审核", "en": "safecorpus human review"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出", "en": "Log out"},
    "username": {"zh": "用户名", "en": "User name"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_login": {
        "zh": "用户名或密码错误，或账户已锁定。",
        "en": "Wrong user name or password, or the account is locked.",
    },
    "queues": {"zh": "队列", "en": "Queues"},
    "queue_source": {"zh": "各来源抽样", "en": "Per-source samples"},
    "queue_manual": {"zh": "语料人工抽检（≥4000）", "en": "Corpus manual sample (≥4,000)"},
    "queue_model": {"zh": "模型回答", "en": "Model answers"},
    "items": {"zh": "条目", "en": "items"},
    "open": {"zh": "待标注", "en": "to label"},
    "review": {"zh": "待审核", "en": "to review"},
    "done": {"zh": "已完成", "en": "done"},
    "start_labelling": {"zh": "开始标注", "en": "Start labelling"},
    "start_review": {"zh": "开始审核", "en": "Start reviewing"},
    "nothing_left": {"zh": "此队列暂无可分配的条目。", "en": "Nothing left to assign in this queue."},
    "clean": {"zh": "无风险", "en": "Clean"},
    "note": {"zh": "备注", "en": "Note"},
    "submit": {"zh": "提交", "en": "Submit"},
    "skip": {"zh": "跳过", "en": "Skip"},
    "reveal": {"zh": "显示个人信息（将记录）", "en": "Reveal personal data (logged)"},
    "revealed": {
        "zh": "个人信息已显示，此操作已记入审计日志。",
        "en": "Personal data shown; this was logged.",
    },
    "findings": {"zh": "检测结果", "en": "Detector findings"},
    "checklist": {"zh": "31 项风险", "en": "31 risks"},
    "shortcuts": {
        "zh": "快捷键：两位数字切换风险（如 1 6 = A.1.6），c 无风险，n 备注，s 跳过，"
        "r 显示个人信息，Enter 提交",
        "en": "Keys: two digits toggle a risk (1 6 = A.1.6), c clean, n note, s skip, r reveal, Enter submit",
    },
    "guidelines": {"zh": "标注规则", "en": "Guidelines"},
    "counts": {"zh": "属于", "en": "Counts"},
    "not_counts": {"zh": "不属于", "en": "Does not count"},
    "labels_so_far": {"zh": "标注结果", "en": "Labels"},
    "disagreement": {"zh": "标注不一致", "en": "Annotators disagree"},
    "qualify": {"zh": "资格考试", "en": "Qualification test"},
    "qualified_until": {"zh": "资格有效期至", "en": "Qualified until"},
    "not_qualified": {
        "zh": "尚未取得有效资格，请先参加资格考试。",
        "en": "No valid qualification: take the test first.",
    },
    "score": {"zh": "得分", "en": "Score"},
    "passed": {"zh": "通过", "en": "passed"},
    "failed": {"zh": "未通过", "en": "failed"},
    "admin": {"zh": "管理", "en": "Admin"},
    "sources": {"zh": "来源与结论", "en": "Sources and verdicts"},
    "users": {"zh": "用户", "en": "Users"},
    "role": {"zh": "角色", "en": "Role"},
    "add_user": {"zh": "添加用户", "en": "Add user"},
    "statistics": {"zh": "统计", "en": "Statistics"},
    "manual_result": {"zh": "人工抽检结果", "en": "Manual-sample result"},
    "agreement": {"zh": "一致性（Cohen's kappa）", "en": "Agreement (Cohen's kappa)"},
    "calibration": {"zh": "检测器校准计数", "en": "Detector calibration counts"},
    "corrected_prevalence": {"zh": "校正后的违规率", "en": "Corrected prevalence"},
    "corrected_note": {
        "zh": "按来源和检测层：最近一次评估的标记率，用该次抽样中已复核条目校正"
        "（分层两阶段估计，精确区间）。",
        "en": "Per source and layer: the latest assess run's flagged rate, corrected by that run's reviewed "
        "items (stratified two-phase estimator, exact interval).",
    },
    "audit": {"zh": "审计日志", "en": "Audit log"},
    "retention": {"zh": "保留期限", "en": "Retention"},
    "purge": {"zh": "清除过期样本", "en": "Purge expired samples"},
    "expired": {"zh": "此条目已过保留期限，内容不可查看。", "en": "This item is past its retention period."},
    "my_progress": {"zh": "我的进度", "en": "My progress"},
    "labels": {"zh": "标注", "en": "labels"},
    "reviews": {"zh": "审核", "en": "reviews"},
    "forbidden": {"zh": "无权访问。", "en": "Not allowed."},
    "conflict": {"zh": "此条目已不再分配给你。", "en": "This item is no longer assigned to you."},
    "approve_hint": {
        "zh": "勾选最终标签后提交：与标注一致即为批准，否则为更正。",
        "en": "Tick the final label and submit: equal to the labels approves, otherwise it corrects.",
    },
}


def translator(lang: str):
    lang = lang if lang in ("zh", "en") else "zh"

    def t(key: str) -> str:
        entry = MESSAGES.get(key)
        return entry[lang] if entry else key

    return t
