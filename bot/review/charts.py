"""Server-rendered SVG bar charts for the dashboard (no scripts, nothing fetched from elsewhere).

Each chart has a title and description for screen readers; the page shows
the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

BAR = 22
GAP = 8
LABEL_WIDTH = 190
VALUE_WIDTH = 70


def horizontal_bars(chart_id: str, title: str, items: Sequence[tuple[str, float]], width: int = 560,
                    value_text: Callable[[float], str] = lambda v: f"{v:g}", label_width: int = LABEL_WIDTH,
                    maximum: float | None = None) -> Markup:
    """One bar per item, labelled on the left and valued on the right (bars scaled to `maximum` if given)."""
    top = maximum or max((value for _, value in items), default=0) or 1
    bar_space = width - label_width - VALUE_WIDTH
    characters = int(label_width / 7.5)  # what fits at the chart's font size
    height = max(1, len(items)) * (BAR + GAP) + GAP
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" aria-labelledby="{escape(chart_id)}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-title">{escape(title)}</title>'
    ]
    for row, (label, value) in enumerate(items):
        y = GAP + row * (BAR + GAP)
        length = max(1.0, bar_space * value / top) if value else 0
        shown = label if len(label) <= characters else label[:characters - 1] + "…"
        parts.append(
            f'<g><text class="chart-label" x="{label_width - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end">'
            f'{escape(shown)}</text>'
            f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length:.1f}" height="{BAR}"></rect>'
            f'<text class="chart-value" x="{label_width + length + 6:.1f}" y="{y + BAR * 0.7:.1f}">'
            f'{escape(value_text(value))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(chart_id: str, title: str, items: Sequence[tuple[str, float]], width: int = 760,
            height: int = 220) -> Markup:
    """Vertical bars over time (conversations per day), with the first and last day labelled."""
    top = max((value for _, value in items), default=0) or 1
    count = max(1, len(items))
    plot_height = height - 40
    step = (width - 50) / count
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" aria-labelledby="{escape(chart_id)}-title" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<text class="chart-value" x="0" y="14">{top:g}</text>',
        f'<line class="chart-axis" x1="45" y1="{plot_height + 5}" x2="{width}" y2="{plot_height + 5}"></line>',
    ]
    for index, (label, value) in enumerate(items):
        bar_height = plot_height * value / top
        x = 50 + index * step
        parts.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{plot_height + 5 - bar_height:.1f}" '
            f'width="{min(24.0, max(1.0, step * 0.8)):.1f}" height="{bar_height:.1f}">'
            f'<title>{escape(label)}: {value:g}</title>'
            '</rect>')
    if items:
        parts.append(f'<text class="chart-label" x="50" y="{height - 8}">{escape(items[0][0])}</text>')
        parts.append(f'<text class="chart-label" x="{width}" y="{height - 8}" text-anchor="end">'
                     f'{escape(items[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
