"""Source-level opt-out: the robots.txt snapshot kept at collection time (rules for AI crawlers) and a
TDM-Rep declaration (``/.well-known/tdmrep.json`` or the ``tdm-reservation`` value)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AI_CRAWLERS = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "anthropic-ai",
    "ClaudeBot",
    "Claude-Web",
    "Bytespider",
    "PerplexityBot",
    "Applebot-Extended",
    "cohere-ai",
    "Meta-ExternalAgent",
    "Diffbot",
    "omgili",
    "Amazonbot",
    "YouBot",
)


def robots_groups(text: str) -> dict[str, list[str]]:
    """User agent (lower case) -> its Disallow paths, with consecutive User-agent lines sharing a group."""
    groups: dict[str, list[str]] = {}
    agents: list[str] = []
    last_was_agent = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (p.strip() for p in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if not last_was_agent:
                agents = []
            agents.append(value.lower())
            groups.setdefault(value.lower(), [])
            last_was_agent = True
        else:
            last_was_agent = False
            if key == "disallow":
                for a in agents:
                    groups.setdefault(a, []).append(value)
    return groups


def ai_opt_outs(robots_text: str) -> list[str]:
    """AI crawlers the robots.txt shuts out of the whole site (``Disallow: /`` for them or for ``*``)."""
    groups = robots_groups(robots_text)
    blocked_all = "/" in groups.get("*", [])
    out = []
    for agent in AI_CRAWLERS:
        rules = groups.get(agent.lower())
        if (rules is not None and "/" in rules) or (rules is None and blocked_all):
            out.append(agent)
    return out


def _read(value: str, base: Path | None) -> str | None:
    path = Path(value)
    if not path.is_absolute() and base is not None:
        path = base / path
    try:
        return path.read_text("utf-8", errors="replace") if path.is_file() else None
    except OSError:
        return None


def tdm_reserved(value: str, base: Path | None = None) -> bool | None:
    """True when a TDM-Rep declaration reserves rights; None when it cannot be read."""
    text = _read(value, base)
    if text is None:
        return value.strip().lower() in ("1", "true", "reserved") if value.strip() else None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    rules = doc if isinstance(doc, list) else [doc]
    return any(str(r.get("tdm-reservation", "0")) == "1" for r in rules if isinstance(r, dict))


def source_opt_outs(entry: Any, base: Path | None = None) -> dict[str, Any]:
    """What the source's crawl metadata says: robots.txt AI rules and TDM-Rep, or that there is none."""
    out: dict[str, Any] = {
        "source": entry.name,
        "crawl_metadata": False,
        "ai_crawlers_blocked": [],
        "tdm": None,
    }
    if entry.robots_snapshot:
        text = _read(entry.robots_snapshot, base)
        if text is not None:
            out["crawl_metadata"] = True
            out["ai_crawlers_blocked"] = ai_opt_outs(text)
        else:
            out["robots_snapshot_unreadable"] = True
    if entry.tdm_rep:
        out["crawl_metadata"] = True
        out["tdm"] = tdm_reserved(entry.tdm_rep, base)
    out["opted_out"] = bool(out["ai_crawlers_blocked"]) or out["tdm"] is True
    return out
