"""Server-rendered SVG charts (no JavaScript, no CDN): horizontal bars and weekly columns.

Colours are SVG presentation attributes, not ``style``, so the strict Content-Security-Policy allows them.
Every label is escaped.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

ACCENT = "#0b5d4b"
RED = "#b3261e"
AMBER = "#a35c00"


def hbar(title: str, items: list[tuple[str, int]], *, colour: str = ACCENT, width: int = 420,
         label_width: int = 180) -> Markup:
    """A horizontal bar chart of ``(label, value)``; an empty list draws "no data"."""
    row = 22
    height = 30 + max(1, len(items)) * row
    top = max((v for _, v in items), default=0) or 1
    span = width - label_width - 50
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="600">{escape(title)}</text>']
    if not items:
        parts.append('<text x="0" y="44" fill="#5b6575">no data</text>')
    for i, (label, value) in enumerate(items):
        y = 28 + i * row
        bar = round(span * value / top)
        text = label if len(label) <= 28 else label[:27] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(text)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{max(bar, 1)}" height="{row - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_width + bar + 5}" y="{y + 14}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, items: list[tuple[str, int]], *, colour: str = ACCENT, width: int = 420,
            height: int = 200) -> Markup:
    """A column chart of ``(label, value)`` in order (e.g. complaints per week)."""
    base = height - 36
    top = max((v for _, v in items), default=0) or 1
    n = max(1, len(items))
    slot = (width - 20) / n
    every = max(1, math.ceil(44 / slot))  # labels need about 44 units: thin them out, keeping the latest
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="0" y="16" font-weight="600">{escape(title)}</text>',
             f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#d8dde5"/>']
    for i, (label, value) in enumerate(items):
        h = round((base - 40) * value / top)
        x = 10 + i * slot
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{base - h}" width="{slot * 0.7:.1f}" height="{h}" fill="{colour}"/>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{base - h - 4}" text-anchor="middle">{value}</text>')
        if (n - 1 - i) % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{base + 14}" text-anchor="middle" font-size="9">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
