"""The analytics charts: server-rendered SVG bar charts and the tables and CSVs behind them (docs/analytics.md).

Pure functions, no request and no ORM: ``report_charts`` turns a ``screening.analytics.Report`` into ``Chart``s,
``bar_chart`` draws one. The SVG has no inline style or script (a strict Content-Security-Policy holds):
colours and print rules are classes in static/css/app.css.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .analytics import EVENT_KINDS, FUNNEL

WIDTH = 720
LABEL_WIDTH = 270
BAR_LEFT = LABEL_WIDTH + 10
BAR_WIDTH = 330
# A label's line: 12 px text, about 7 px a character in Cyrillic, must fit LABEL_WIDTH (a longer one ran off
# the chart's left edge). Two lines at the most, the second cut with "…".
LABEL_CHARS = 34
LABEL_LINE_HEIGHT = 13
SERIES_HEIGHT = 16
ROW_GAP = 10
LEGEND_HEIGHT = 24


@dataclass
class Bar:
    """One row of a chart: a ``label``, a value per series, and the text shown at the end of each bar."""

    label: str
    values: list[float]
    texts: list[str]


@dataclass
class Chart:
    """A chart with its numbers: ``header`` and ``rows`` (raw values, the CSV) and ``cells`` (as the table
    shows them); ``note`` a sentence under the title."""

    key: str
    title: str
    svg: SafeString
    header: list[str]
    rows: list[list] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    note: str = ""
    # The table's column names when they differ from the CSV's (a table cell may join two CSV columns).
    cell_header: list[str] | None = None

    @property
    def table_header(self) -> list[str]:
        return self.cell_header or self.header


def label_lines(text: str) -> list[str]:
    """``text`` as at most two lines of at most ``LABEL_CHARS`` characters, broken between words where it can
    be; what does not fit ends the second line with "…"."""
    lines, rest = [], " ".join(text.split())
    while rest and len(lines) < 2:
        if len(rest) <= LABEL_CHARS:
            lines.append(rest)
            rest = ""
            break
        cut = rest.rfind(" ", 0, LABEL_CHARS + 1)
        cut = cut if cut > LABEL_CHARS // 2 else LABEL_CHARS
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        lines[-1] = lines[-1][: LABEL_CHARS - 1].rstrip() + "…"
    return lines or [""]


def bar_chart(*, key: str, title: str, bars: list[Bar], series: list[str] | None = None, maximum=None) -> SafeString:
    """A horizontal bar chart as an ``<svg>`` element (well-formed XML, every text escaped).

    ``series``: the names of the values of each bar (a legend is drawn for two or more); ``maximum``: the value
    of a full-width bar (the largest value by default, so the longest bar spans the width).
    """
    series = series or [""]
    top = LEGEND_HEIGHT if len(series) > 1 else 0
    row_height = SERIES_HEIGHT * len(series) + ROW_GAP
    labels = [label_lines(bar.label) for bar in bars]
    if any(len(lines) > 1 for lines in labels):  # room for two lines of label, and air between rows
        row_height = max(row_height, 2 * LABEL_LINE_HEIGHT + ROW_GAP + 4)
    height = top + max(1, len(bars)) * row_height + ROW_GAP
    largest = maximum or max((value for bar in bars for value in bar.values), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="chart-{key}-title">',
        f'<title id="chart-{key}-title">{escape(title)}</title>',
    ]
    if len(series) > 1:
        x = BAR_LEFT
        for index, name in enumerate(series):
            parts.append(f'<rect class="chart__bar chart__bar--s{index}" x="{x}" y="6" width="12" height="12"/>')
            parts.append(f'<text class="chart__legend" x="{x + 16}" y="16">{escape(name)}</text>')
            x += 24 + 8 * len(name)
    if not bars:
        parts.append(f'<text class="chart__empty" x="{BAR_LEFT}" y="{top + 20}">{escape(_("No data"))}</text>')
    for row, (bar, lines) in enumerate(zip(bars, labels, strict=True)):
        y = top + ROW_GAP + row * row_height
        middle = y + SERIES_HEIGHT * len(series) / 2 + 4
        parts.append(f"<g><title>{escape(bar.label)}</title>")
        if len(lines) == 1:
            label = escape(lines[0])
        else:  # two lines around the bar's middle
            first = middle - LABEL_LINE_HEIGHT / 2
            label = "".join(
                f'<tspan x="{LABEL_WIDTH}" y="{first + index * LABEL_LINE_HEIGHT:.0f}">{escape(line)}</tspan>'
                for index, line in enumerate(lines)
            )
        parts.append(f'<text class="chart__label" x="{LABEL_WIDTH}" y="{middle:.0f}" text-anchor="end">{label}</text>')
        for index, (value, text) in enumerate(zip(bar.values, bar.texts, strict=True)):
            width = max(0.0, min(1.0, (value or 0) / largest)) * BAR_WIDTH
            bar_y = y + index * SERIES_HEIGHT
            parts.append(
                f'<rect class="chart__bar chart__bar--s{index}" x="{BAR_LEFT}" y="{bar_y}" '
                f'width="{width:.1f}" height="{SERIES_HEIGHT - 3}"/>'
            )
            parts.append(
                f'<text class="chart__value" x="{BAR_LEFT + width + 6:.1f}" y="{bar_y + SERIES_HEIGHT - 5}">'
                f"{escape(text)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def percent(rate: float | None) -> str:
    """``0.25`` → "25%"; "—" for no rate (nothing to divide by)."""
    return "—" if rate is None else f"{rate * 100:.0f}%"


def duration(seconds: float | None) -> str:
    """A median in words a recruiter reads at a glance: "35 s", "4 min 10 s", "3 h 5 min", "2 d 4 h"; "—" for
    none."""
    if seconds is None:
        return "—"
    seconds = round(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
    return _("%(s)s s") % {"s": secs}


def _rate_value(rate: float | None):
    return "" if rate is None else round(rate, 4)


def _seconds_value(seconds: float | None):
    return "" if seconds is None else round(seconds, 1)


def funnel_chart(report) -> Chart:
    names = {
        "applied": _("All applications"),
        "chat_started": _("Chat started"),
        "finished": _("Screening finished"),
        "passed": _("Passed"),
        "needs_review": _("Needs review"),
        "rejected": _("Failed the screening"),
        "shortlisted": _("Shortlisted"),
        "interview": _("Interview"),
        "offer": _("Offer"),
        "hired": _("Hired"),
    }
    applied = report.funnel["applied"]
    rows = [
        [names[stage], report.funnel[stage], _rate_value(report.funnel[stage] / applied if applied else None)]
        for stage in FUNNEL
    ]
    cells = [[name, str(n), percent(rate if rate != "" else None)] for name, n, rate in rows]
    bars = [Bar(name, [n], [f"{n} · {cell[2]}"]) for (name, n, _r), cell in zip(rows, cells, strict=True)]
    title = _("Funnel")
    return Chart(
        "funnel",
        title,
        bar_chart(key="funnel", title=title, bars=bars, maximum=applied or 1),
        [_("Stage"), _("Applications"), _("Share of applied")],
        rows,
        cells,
        _("Stages after the screening count everyone who reached them at some point, even if they moved on since."),
    )


def dropoff_chart(report) -> Chart:
    not_started = report.funnel["applied"] - report.funnel["chat_started"]
    rows = [
        [
            _("Before the chat (never opened it)"),
            report.funnel["applied"],
            not_started,
            _rate_value(not_started / report.funnel["applied"] if report.funnel["applied"] else None),
        ]
    ]
    for question in report.questions:
        rows.append([question.label, question.reached, question.stopped, _rate_value(question.dropoff_rate)])
    if report.stopped_after_last:
        rows.append([_("After the last question"), report.stopped_after_last, report.stopped_after_last, ""])
    cells = [
        [label, str(reached), str(stopped), percent(rate if rate != "" else None)]
        for label, reached, stopped, rate in rows
    ]
    bars = [Bar(row[0], [row[2]], [f"{row[2]} · {cell[3]}"]) for row, cell in zip(rows, cells, strict=True)]
    title = _("Where candidates stop")
    return Chart(
        "dropoff",
        title,
        bar_chart(key="dropoff", title=title, bars=bars),
        [_("Question"), _("Reached"), _("Stopped here"), _("Drop-off rate")],
        rows,
        cells,
        _("Unfinished chats, counted at the question they were waiting on."),
    )


def knockout_chart(report) -> Chart:
    rows = [[r.label, r.rule, r.judged, r.failed, r.review, _rate_value(r.knockout_rate)] for r in report.rules]
    cells = [[r[0], r[1], str(r[2]), str(r[3]), str(r[4]), percent(r[5] if r[5] != "" else None)] for r in rows]
    bars = [Bar(f"{r[0]} ({r[1]})", [r[5] or 0], [f"{c[5]} · {r[3]}/{r[2]}"]) for r, c in zip(rows, cells, strict=True)]
    title = _("Knockout rate per rule")
    return Chart(
        "knockout",
        title,
        bar_chart(key="knockout", title=title, bars=bars, maximum=1),
        [_("Question"), _("Rule"), _("Judged"), _("Failed the rule"), _("Sent to review"), _("Knockout rate")],
        rows,
        cells,
    )


def events_chart(report) -> Chart:
    names = [_("Clarification"), _("Read-back"), _("Correction")]
    rows, cells, bars = [], [], []
    for q in report.questions:
        rates = [q.event_rate(kind) for kind in EVENT_KINDS]
        counts = [q.events.get(kind, 0) for kind in EVENT_KINDS]
        rows.append([q.label, q.reached, *counts, *(_rate_value(rate) for rate in rates)])
        cells.append(
            [q.label, str(q.reached), *(f"{n} · {percent(rate)}" for n, rate in zip(counts, rates, strict=True))]
        )
        bars.append(Bar(q.label, [rate or 0 for rate in rates], [percent(rate) for rate in rates]))
    title = _("Clarifications, read-backs and corrections")
    return Chart(
        "events",
        title,
        bar_chart(key="events", title=title, bars=bars, series=names, maximum=1),
        [_("Question"), _("Reached"), *names, *(_("%(kind)s rate") % {"kind": name} for name in names)],
        rows,
        cells,
        _("Share of the candidates who reached the question and had it at least once."),
        [_("Question"), _("Reached"), *names],
    )


def answer_time_chart(report) -> Chart:
    rows = [[q.label, q.timed, _seconds_value(q.median_answer_seconds)] for q in report.questions]
    cells = [[q.label, str(q.timed), duration(q.median_answer_seconds)] for q in report.questions]
    bars = [Bar(q.label, [q.median_answer_seconds or 0], [duration(q.median_answer_seconds)]) for q in report.questions]
    title = _("Median time to answer")
    return Chart(
        "answer_time",
        title,
        bar_chart(key="answer_time", title=title, bars=bars),
        [_("Question"), _("Answers timed"), _("Median seconds")],
        rows,
        cells,
        _("From the bot first asking the question to the answer being stored."),
    )


def sources_chart(report) -> Chart:
    names = [_("All applications"), _("Finished the screening"), _("Passed"), _("Hired")]
    rows = [[s.label, s.applied, s.finished, s.passed, s.hired] for s in report.sources]
    cells = [[str(value) for value in row] for row in rows]
    bars = [Bar(row[0], row[1:], [str(v) for v in row[1:]]) for row in rows]
    title = _("Sources")
    return Chart(
        "sources",
        title,
        bar_chart(key="sources", title=title, bars=bars, series=names),
        [_("Source"), *names],
        rows,
        cells,
    )


def agreement_chart(report) -> Chart:
    names = [_("Moved on"), _("Turned down"), _("Undecided")]
    rows = [[a.label, a.moved_on, a.declined, a.undecided] for a in report.agreement]
    cells = [[str(value) for value in row] for row in rows]
    bars = [Bar(row[0], row[1:], [str(v) for v in row[1:]]) for row in rows]
    title = _("AI recommendation and the recruiters' decision")
    note = _("Agreed in %(agreed)s of %(decided)s decided applications (%(rate)s).") % {
        "agreed": report.agreed,
        "decided": report.advised_decided,
        "rate": percent(report.agreement_rate),
    }
    return Chart(
        "agreement",
        title,
        bar_chart(key="agreement", title=title, bars=bars, series=names),
        [_("AI recommendation"), *names],
        rows,
        cells,
        note,
    )


def times_table(report) -> Chart:
    """The two company-wide medians: a table without a chart (their scales differ by orders of magnitude)."""
    rows = [
        [_("Median time to finish the chat"), report.finished_timed, _seconds_value(report.finish_median_seconds)],
        [
            _("Median time to the first recruiter decision"),
            report.decided,
            _seconds_value(report.decision_median_seconds),
        ],
    ]
    cells = [
        [rows[0][0], str(report.finished_timed), duration(report.finish_median_seconds)],
        [rows[1][0], str(report.decided), duration(report.decision_median_seconds)],
    ]
    return Chart("times", _("Time"), mark_safe(""), [_("Figure"), _("Applications"), _("Median seconds")], rows, cells)


def report_charts(report) -> list[Chart]:
    """Every chart of the analytics page, in the page's order."""
    return [
        funnel_chart(report),
        dropoff_chart(report),
        knockout_chart(report),
        events_chart(report),
        answer_time_chart(report),
        times_table(report),
        sources_chart(report),
        agreement_chart(report),
    ]


CHART_KEYS = ("funnel", "dropoff", "knockout", "events", "answer_time", "times", "sources", "agreement")
