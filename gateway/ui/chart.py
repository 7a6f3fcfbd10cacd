"""The usage chart as inline SVG: pure, from rows of (country, outbound, inbound)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "bar_chart"]

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 640, 240, 44, 28, 12


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # out | in
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]  # x, country
    ticks: tuple[tuple[float, int], ...]  # y, value
    base: float


def bar_chart(rows: list[tuple[str, int, int]]) -> Chart:
    """Two bars per country (outbound, inbound messages) on one scale."""
    top = max([1, *(max(o, i) for _c, o, i in rows)])
    plot_h = _HEIGHT - _BOTTOM - _TOP
    slot = (_WIDTH - _LEFT) / max(1, len(rows))
    bar_w = min(36.0, slot / 3)
    bars, labels = [], []
    for n, (country, outbound, inbound) in enumerate(rows):
        x0 = _LEFT + n * slot + (slot - 2 * bar_w) / 2
        for k, (kind, value) in enumerate((("out", outbound), ("in", inbound))):
            h = plot_h * value / top
            bars.append(Bar(x0 + k * bar_w, _TOP + plot_h - h, bar_w - 2, h, kind, value))
        labels.append((x0 + bar_w, country))
    ticks = tuple((_TOP + plot_h - plot_h * v / top, v) for v in sorted({0, top // 2, top}))
    return Chart(_WIDTH, _HEIGHT, tuple(bars), tuple(labels), ticks, _TOP + plot_h)
