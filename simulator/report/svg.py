"""The report's charts as inline SVG text: the timeline (stacked outcomes per time bucket,
the accepted and sent lines, the scenario's events as markers and bands), a latency
histogram with its percentiles, and a share bar. Pure.

Our own SVG rather than a charting library: three chart shapes are a few dozen lines each,
the file stays self-contained without shipping a library's JavaScript, and the charts are
drawn when the page opens (nothing to run, nothing that can fail in the browser).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

__all__ = ["REASON_COLOURS", "colour", "duration", "histogram", "share_bar", "timeline"]

DELIVERED = "#2e7d32"
ACCEPTED = "#1565c0"
SENT = "#78909c"
REASON_COLOURS = {
    "spam": "#c62828",
    "landline": "#6a1b9a",
    "unreachable": "#ef6c00",
    "opted_out": "#5d4037",
    "invalid_number": "#ad1457",
    "unsupported_country": "#00838f",
    "expired": "#f9a825",
    "unknown": "#616161",
}
_MORE = ("#8e24aa", "#3949ab", "#00897b", "#7cb342", "#fb8c00", "#6d4c41")
_FONT = 'font-family="system-ui,sans-serif" font-size="11"'


def colour(reason: str) -> str:
    known = REASON_COLOURS.get(reason)
    return known or _MORE[sum(map(ord, reason)) % len(_MORE)]


def duration(seconds: float) -> str:
    """12 s, 1.5 min, 2 h: a simulated time or a latency, as a reader says it."""
    if seconds < 90:
        return f"{seconds:.3g} s"
    if seconds < 5400:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


def _ticks(top: float) -> tuple[float, float]:
    """A round tick step (1, 2 or 5 times a power of ten) for about four ticks up to `top`,
    and the axis maximum: the first tick at or above it."""
    rough = max(top, 1.0) / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= rough)
    return step, step * math.ceil(max(top, 1.0) / step)


def _y_axis(left: float, top: float, height: float, most: float, right: float) -> list[str]:
    step, most = _ticks(most)
    parts = []
    for k in range(round(most / step) + 1):
        value = step * k
        y = top + height - height * value / most
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{value:g}</text>'
        )
    return parts


def timeline(
    series: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    width: int = 960,
    height: int = 300,
) -> str:
    """Bars: delivered below, failures by reason stacked above, per bucket. Lines: accepted
    and sent on by the carrier. Events: a dashed marker (a band for an outage) with its
    label."""
    step, buckets = float(series["step"]), int(series["buckets"])
    reasons: Mapping[str, Sequence[int]] = series["failed_by_reason"]
    labels_at = 14 * max(1, min(4, len(events)))  # room for staggered event labels
    left, top, right, bottom = 44.0, 12.0 + labels_at, width - 12.0, height - 28.0
    plot_h, plot_w = bottom - top, right - left
    stacks = [series["delivered"][b] + sum(r[b] for r in reasons.values()) for b in range(buckets)]
    most = _ticks(max([*stacks, *series["accepted"], *series["sent"], 1]))[1]
    bar_w = plot_w / buckets

    def x(t: float) -> float:
        return left + plot_w * min(t, step * buckets) / (step * buckets)

    def y(v: float) -> float:
        return bottom - plot_h * v / most

    parts = [
        f'<svg class="chart timeline" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="outcomes over simulated time">',
        *_y_axis(left, top, plot_h, most, right),
    ]
    for event in events:
        if event.get("until") is not None:
            x0, x1 = x(float(event["at"])), x(float(event["until"]))
            parts.append(
                f'<rect class="event-band" x="{x0:.1f}" y="{top}" '
                f'width="{max(1.0, x1 - x0):.1f}" height="{plot_h}" fill="#ffcdd2" '
                f'opacity="0.5"><title>{escape(str(event["label"]))}</title></rect>'
            )
    for b in range(buckets):
        base, x0 = 0.0, left + b * bar_w
        span = f"{duration(b * step)} to {duration((b + 1) * step)}"
        layers = [("delivered", DELIVERED, series["delivered"][b])]
        layers += [(reason, colour(reason), counts[b]) for reason, counts in reasons.items()]
        for name, fill, count in layers:
            if not count:
                continue
            tall = y(base) - y(base + count)
            parts.append(
                f'<rect x="{x0 + 0.5:.1f}" y="{y(base + count):.1f}" '
                f'width="{max(0.5, bar_w - 1):.1f}" height="{tall:.1f}" fill="{fill}">'
                f"<title>{span}: {count} {escape(name)}</title></rect>"
            )
            base += count
    lines = (("accepted", ACCEPTED, ""), ("sent", SENT, ' stroke-dasharray="4 3"'))
    for name, stroke, dash in lines:
        points = " ".join(
            f"{left + (b + 0.5) * bar_w:.1f},{y(v):.1f}" for b, v in enumerate(series[name])
        )
        parts.append(
            f'<polyline class="line-{name}" points="{points}" fill="none" '
            f'stroke="{stroke}" stroke-width="1.5"{dash}/>'
        )
    for k, event in enumerate(events):
        at = x(float(event["at"]))
        label_y = 12 + 14 * (k % 4)
        anchor = "end" if at > left + plot_w * 0.7 else "start"
        shift = -3 if anchor == "end" else 3
        parts.append(
            f'<g class="event-marker" data-kind="{escape(str(event["kind"]))}">'
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{label_y - 8}" y2="{bottom}" '
            f'stroke="#212121" stroke-dasharray="3 2"/>'
            f'<text x="{at + shift:.1f}" y="{label_y}" text-anchor="{anchor}" {_FONT}>'
            f"{escape(str(event['label']))} (t={duration(float(event['at']))})</text>"
            f"</g>"
        )
    ticks = max(1, buckets // 8)
    for b in range(0, buckets + 1, ticks):
        parts.append(
            f'<text x="{left + b * bar_w:.1f}" y="{bottom + 16}" text-anchor="middle" '
            f"{_FONT}>{duration(b * step)}</text>"
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#616161"/>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(distribution: Mapping[str, Any], width: int = 300, height: int = 150) -> str:
    """Counts per bin of simulated seconds, with p50, p90 and p99 marked."""
    counts: Sequence[int] = distribution.get("histogram") or []
    if not counts:
        return (
            f'<svg class="chart histogram" viewBox="0 0 {width} {height}" width="100%">'
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" {_FONT}>'
            "no messages</text></svg>"
        )
    left, top, right, bottom = 36.0, 34.0, width - 8.0, height - 22.0
    most = _ticks(max(counts))[1]
    span = float(distribution["bin_width"]) * len(counts)
    bar_w = (right - left) / len(counts)
    parts = [
        f'<svg class="chart histogram" viewBox="0 0 {width} {height}" width="100%" role="img">',
        *_y_axis(left, top, bottom - top, most, right),
    ]
    for k, count in enumerate(counts):
        if count:
            h = (bottom - top) * count / most
            parts.append(
                f'<rect x="{left + k * bar_w + 0.5:.1f}" y="{bottom - h:.1f}" '
                f'width="{max(0.5, bar_w - 1):.1f}" height="{h:.1f}" fill="{ACCEPTED}">'
                f"<title>{count} messages</title></rect>"
            )
    for k, name in enumerate(("p50", "p90", "p99")):
        at = left + (right - left) * float(distribution[name]) / span if span else left
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{top - 4}" y2="{bottom}" '
            f'stroke="#c62828" stroke-dasharray="3 2"/>'
            f'<text x="{at:.1f}" y="{9 + 10 * k}" text-anchor="end" dx="-2" {_FONT} '
            f'fill="#c62828">{name}</text>'
        )
    parts.append(
        f'<text x="{left}" y="{bottom + 15}" {_FONT}>0</text>'
        f'<text x="{right}" y="{bottom + 15}" text-anchor="end" {_FONT}>'
        f"{duration(span)}</text>"
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#616161"/>'
        "</svg>"
    )
    return "".join(parts)


def share_bar(delivered: int, failed: int, total: int, width: int = 100) -> str:
    """One row's messages as a bar: delivered, failed, the rest (pending or cancelled)."""
    if total <= 0:
        return ""
    good, bad = width * delivered / total, width * failed / total
    return (
        f'<svg class="chart bar" viewBox="0 0 {width} 10" width="{width}" height="10">'
        f'<rect width="{width}" height="10" fill="#e0e0e0"/>'
        f'<rect width="{good:.1f}" height="10" fill="{DELIVERED}"/>'
        f'<rect x="{good:.1f}" width="{bad:.1f}" height="10" fill="#c62828"/></svg>'
    )
