"""Charts as inline SVG, drawn on the server: no script library, nothing fetched, a few
kilobytes on a slow connection. Every chart has a table next to it with the same numbers
(for screen readers and for copying)."""

from __future__ import annotations

import html

WIDTH = 600
BAR = 22  # height of one horizontal bar
LABEL = 150  # room for the labels of horizontal bars
COLOUR = "#1f6f8b"
ALERT = "#b3261e"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def bars(rows: list[tuple[str, int]], title: str, colour: str = COLOUR) -> str:
    """Horizontal bars, one per (label, number), in the order given."""
    if not rows:
        return ""
    top = max(n for _label, n in rows) or 1
    room = WIDTH - LABEL - 60
    height = BAR * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_esc(title)}</title>",
    ]
    for i, (label, n) in enumerate(rows):
        y = 4 + i * BAR
        w = max(1, round(room * n / top)) if n else 0
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" direction="ltr">'
            f"{_esc(label)}</text>"
            f'<rect x="{LABEL}" y="{y + 3}" width="{w}" height="{BAR - 6}" fill="{colour}"/>'
            f'<text x="{LABEL + w + 4}" y="{y + 15}">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def columns(days: list[tuple[str, int, int]], title: str) -> str:
    """One column per day: all messages, and in red the part that reached the fallback.
    `days` is (YYYY-MM-DD, messages, fallbacks), oldest first."""
    if not days:
        return ""
    height, base, left = 220, 190, 40
    top = max(n for _d, n, _f in days) or 1
    step = (WIDTH - left - 10) / len(days)
    width = max(2.0, step * 0.7)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_esc(title)}</title>",
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="#888"/>',
        f'<text x="{left - 4}" y="{base - 160 + 4}" text-anchor="end">{top}</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    for i, (day, n, fallback) in enumerate(days):
        x = left + i * step + (step - width) / 2
        h = 160 * n / top
        f = 160 * fallback / top
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
            f'fill="{COLOUR}"><title>{_esc(day)}: {n}</title></rect>'
        )
        if fallback:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - f:.1f}" width="{width:.1f}" height="{f:.1f}" '
                f'fill="{ALERT}"/>'
            )
        if i == 0 or i == len(days) - 1 or len(days) <= 10:
            parts.append(
                f'<text x="{x + width / 2:.1f}" y="{base + 16}" text-anchor="middle" '
                f'direction="ltr">{_esc(day[5:])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
