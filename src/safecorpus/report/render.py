"""Render the report document to one self-contained HTML file (inline CSS and SVG, no external URL) and
to PDF with WeasyPrint (WenQuanYi Micro Hei for Chinese)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from safecorpus.errors import SafecorpusError
from safecorpus.report.charts import rate_chart, status_bar
from safecorpus.report.i18n import LABELS


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{100 * x:.1f}%" if x >= 0.001 or x == 0 else f"{100 * x:.2f}%"


def _n(x: int | float | None) -> str:
    return "—" if x is None else f"{x:,}"


def render_html(doc: dict[str, Any], matrix: list[dict[str, Any]], tally: dict[str, int], lang: str) -> str:
    folder = resources.files("safecorpus.report").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    t = LABELS[lang]
    rate_svg = rate_chart(
        doc["sources"],
        doc["scope"]["thresholds"]["max_violation_rate"],
        {
            "title": t["chart_title"],
            "threshold": t["threshold"],
            "axis": t["axis"],
            **{k: t[k] for k in ("pass", "blacklist", "inconclusive")},
        },
    )
    status_svg = status_bar(tally, {k: t[k] for k in tally})
    return env.get_template("report.html.j2").render(
        doc=doc,
        matrix=matrix,
        tally=tally,
        lang=lang,
        t=t,
        css=folder.joinpath("report.css").read_text("utf-8"),
        rate_svg=rate_svg,
        status_svg=status_svg,
        pct=_pct,
        n=_n,
    )


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report is self-contained: refuse any fetch WeasyPrint might try."""
    raise SafecorpusError(f"the report tried to load {url}; it must be self-contained")


def write_pdf(html: str, path: Path) -> None:
    try:
        from weasyprint import HTML
    except ImportError as exc:  # a missing system library shows up here
        raise SafecorpusError(f"weasyprint is not usable ({exc}); run ./scripts/setup.sh") from None
    HTML(string=html, url_fetcher=_no_fetch).write_pdf(str(path))
