"""Charts as inline SVG written here (no plotting library, no fonts to fetch): the report stays one
self-contained file and the same markup renders in Chromium and in WeasyPrint's PDF."""

from __future__ import annotations

from html import escape
from typing import Any

COLOURS = {"blacklist": "#c0392b", "inconclusive": "#d68910", "pass": "#1e8449"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def rate_chart(sources: list[dict[str, Any]], threshold: float, labels: dict[str, str]) -> str:
    """Per-source violation rate (dot) with its 95% interval (bar) against the threshold (dashed line)."""
    row_h, left, right, top = 28, 190, 120, 52
    width = 760
    plot_w = width - left - right
    height = top + row_h * max(1, len(sources)) + 36
    x_max = max([threshold * 2, *(s["ci_high"] for s in sources)]) * 1.08
    x_max = min(1.0, x_max) or 0.1

    def x(v: float) -> float:
        return left + plot_w * v / x_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="WenQuanYi Micro Hei, sans-serif" font-size="12">',
        f"<title>{escape(labels['title'])}</title>",
        f'<text x="{left}" y="16" font-weight="bold">{escape(labels["title"])}</text>',
    ]
    bottom = top + row_h * max(1, len(sources))
    for i in range(6):
        v = x_max * i / 5
        parts.append(
            f'<line x1="{x(v):.1f}" y1="{top - 6}" x2="{x(v):.1f}" y2="{bottom}" stroke="#e5e5e5"/>'
            f'<text x="{x(v):.1f}" y="{bottom + 16}" text-anchor="middle" fill="#555">{_pct(v)}</text>'
        )
    for i, s in enumerate(sources):
        y = top + row_h * i + row_h / 2
        colour = COLOURS.get(s["verdict"], "#555")
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(s["name"][:28])}</text>'
            f'<line x1="{x(s["ci_low"]):.1f}" y1="{y:.1f}" x2="{x(s["ci_high"]):.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="4" stroke-linecap="round" opacity="0.45"/>'
            f'<circle cx="{x(s["rate"]):.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'
            f'<text x="{width - right + 8}" y="{y + 4:.1f}" fill="{colour}">{_pct(s["rate"])} '
            f"{escape(labels.get(s['verdict'], s['verdict']))}</text>"
        )
    parts.append(
        f'<line x1="{x(threshold):.1f}" y1="{top - 10}" x2="{x(threshold):.1f}" y2="{bottom}" '
        f'stroke="#c0392b" stroke-dasharray="5,4" stroke-width="1.5"/>'
        f'<text x="{x(threshold) + 4:.1f}" y="{top - 12}" fill="#c0392b">{escape(labels["threshold"])} '
        f"{_pct(threshold)}</text>"
    )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{bottom + 32}" text-anchor="middle" fill="#555">'
        f"{escape(labels['axis'])}</text></svg>"
    )
    return "".join(parts)


def status_bar(tally: dict[str, int], labels: dict[str, str]) -> str:
    """One stacked bar: how many clauses have each conclusion."""
    colours = {
        "conforms": "#1e8449",
        "does_not_conform": "#c0392b",
        "not_applicable": "#7f8c8d",
        "needs_manual_evidence": "#d68910",
    }
    total = sum(tally.values()) or 1
    width, x = 720, 0.0
    full = 960  # room for the legend below the bar
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {full} 54" width="{full}" '
        'height="54" font-family="WenQuanYi Micro Hei, sans-serif" font-size="12">'
    ]
    legend_x = 0
    for status, n in tally.items():
        w = width * n / total
        if n:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" fill="{colours[status]}"/>')
        x += w
        label = f"{labels[status]} {n}"
        parts.append(
            f'<rect x="{legend_x}" y="32" width="12" height="12" fill="{colours[status]}"/>'
            f'<text x="{legend_x + 16}" y="43">{escape(label)}</text>'
        )
        legend_x += 36 + 8 * len(label) + 6 * sum(not c.isascii() for c in label)
    parts.append("</svg>")
    return "".join(parts)
