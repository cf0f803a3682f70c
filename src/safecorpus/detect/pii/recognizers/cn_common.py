"""Facts shared by mainland-China recognizers: province-level division codes (GB/T 2260) and dates."""

from __future__ import annotations

import datetime as _dt

# First two digits of an administrative-division code: the 34 province-level divisions
# (71 Taiwan, 81 Hong Kong, 82 Macau; 83 is used by residence permits for Taiwan residents).
PROVINCE_CODES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾居民居住证",
}


def region_ok(code6: str) -> bool:
    """A six-digit division code with a real province prefix and a plausible city/county part."""
    return code6[:2] in PROVINCE_CODES and code6.isdigit()


def date_ok(year: int, month: int, day: int, *, today: _dt.date | None = None) -> bool:
    """A real calendar date between 1900-01-01 and today."""
    try:
        d = _dt.date(year, month, day)
    except ValueError:
        return False
    return _dt.date(1900, 1, 1) <= d <= (today or _dt.date.today())
