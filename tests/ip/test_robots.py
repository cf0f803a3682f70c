"""robots.txt rules for AI crawlers and TDM-Rep declarations."""

from __future__ import annotations

from pathlib import Path

from safecorpus.ip.robots import ai_opt_outs, source_opt_outs, tdm_reserved
from safecorpus.sources.catalog import SourceEntry


def test_named_ai_crawler_blocked() -> None:
    text = "User-agent: *\nDisallow: /private/\n\nUser-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n"
    assert ai_opt_outs(text) == ["GPTBot", "CCBot"]


def test_everyone_blocked_blocks_ai_crawlers_without_their_own_group() -> None:
    text = "User-agent: *\nDisallow: /\n\nUser-agent: GPTBot\nDisallow: /tmp/\n"
    out = ai_opt_outs(text)
    assert "GPTBot" not in out and "CCBot" in out


def test_partial_rules_are_not_an_opt_out() -> None:
    assert ai_opt_outs("User-agent: GPTBot\nDisallow: /a/\n# Disallow: /\n") == []


def test_tdmrep_file_and_value(tmp_path: Path) -> None:
    f = tmp_path / "tdmrep.json"
    f.write_text('[{"location": "/", "tdm-reservation": 1}]')
    assert tdm_reserved(str(f)) is True
    f.write_text('[{"location": "/", "tdm-reservation": 0}]')
    assert tdm_reserved(str(f)) is False
    assert tdm_reserved("1") is True


def test_source_opt_outs(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: ClaudeBot\nDisallow: /\n")
    e = SourceEntry("s", "self-collected", robots_snapshot="robots.txt")
    out = source_opt_outs(e, tmp_path)
    assert out["opted_out"] and out["ai_crawlers_blocked"] == ["ClaudeBot"] and out["crawl_metadata"]
    assert source_opt_outs(SourceEntry("t", "open-source"))["crawl_metadata"] is False
