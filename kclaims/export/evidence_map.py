"""The evidence map: the catalog's claims as a grid of topics against verdict and certainty, one dot per claim.

A reader sees at a glance where the evidence is strong, where it is thin and where it is
disputed. `build_map` turns claim rows into the grid; `layout` places every shape once, in
pixels; `render_svg` writes those shapes as SVG text by hand and `render_png` draws the same
shapes with matplotlib, imported only there.

Why SVG by hand: the HTML report embeds the map inline, so it must be small, carry real
(selectable, escaped) text and per-claim tooltips and links, and be byte-for-byte the same on
every machine so the rendered docs can be checked. matplotlib's SVG draws text as glyph paths,
embeds ids that collide when inlined, and would make every export import a heavy library; it
is used only for PNG, which needs a rasteriser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html import escape

from kclaims.catalog.query import ClaimRow
from kclaims.export.view import NO_TOPIC, STRENGTH_ORDER, grade_title, one_line, strength_title, topic_strength_matrix
from kclaims.grade import CERTAINTY_SYMBOLS, CERTAINTY_WORDS, split_strength_key

# verdict and certainty -> (fill, text on that fill): greens pale as certainty falls, purple for
# conflicting, reds deepen as a contradiction grows more certain, greys where nothing counts
STRENGTH_COLOURS: dict[str, tuple[str, str]] = {
    "supported-high": ("#1b5e20", "#ffffff"),
    "supported-moderate": ("#388e3c", "#ffffff"),
    "supported-low": ("#81c784", "#000000"),
    "supported-very-low": ("#c5e1a5", "#000000"),
    "conflicting": ("#7b1fa2", "#ffffff"),
    "contradicted-very-low": ("#ef9a9a", "#000000"),
    "contradicted-low": ("#e57373", "#000000"),
    "contradicted-moderate": ("#c62828", "#ffffff"),
    "contradicted-high": ("#7f0000", "#ffffff"),
    "no-evidence-found": ("#9e9e9e", "#000000"),
    "not-assessed": ("#616161", "#ffffff"),
}
# the two lines of a column heading: the verdict, then the certainty
HEADINGS = {key: (split_strength_key(key)[0], f"{CERTAINTY_SYMBOLS[c]} {CERTAINTY_WORDS[c]}" if c else "")
            for key in STRENGTH_ORDER for c in [split_strength_key(key)[1]]}
HEADINGS.update({"no-evidence-found": ("no evidence", "found"), "not-assessed": ("not", "assessed")})
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MAX_DOTS = 20          # above this a cell shows one disc with the count
DOTS_PER_ROW = 5
DOT_RADIUS = 7
DOT_STEP = 18
COLUMN_WIDTH = 112  # fits "⊕⊕⊕◯ moderate" (97px at 11px in Chromium and matplotlib) with room
MARGIN = 16
HEADER_TOP = 62
HEADER_HEIGHT = 44
MIN_ROW_HEIGHT = 36
CHAR_WIDTH = 7.4        # a 13px sans-serif character, on average: enough to size the topic column
GRID = "#d0d7de"
MUTED = "#57606a"
STRIPE = "#f6f8fa"


@dataclass(frozen=True, slots=True)
class MapClaim:
    id: str
    statement: str
    key: str  # its verdict and certainty (grade.strength_key)
    curator: str = ""  # a curator's grade, shown beside the computed one in the tooltip


@dataclass(slots=True)
class EvidenceMap:
    """Topics (rows) against verdict and certainty (columns); each cell the claims in it; totals count
    each claim once."""

    topics: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], list[MapClaim]]
    totals: dict[str, int]

    @property
    def claim_count(self) -> int:
        return sum(self.totals.values())

    def cell(self, topic: str, key: str) -> list[MapClaim]:
        return self.cells.get((topic, key), [])


def build_map(rows: list[ClaimRow]) -> EvidenceMap:
    """The grid for these claims: every verdict and certainty a column (empty ones too), every topic a row."""
    matrix = topic_strength_matrix(rows)
    cells = {
        (topic, key): [MapClaim(r.claim.id, one_line(r.claim.statement), key,
                                grade_title(r.claim.grade, symbols=False) if r.claim.grade else "") for r in found]
        for topic, by_key in matrix.items() for key, found in by_key.items() if found
    }
    totals = {key: sum(1 for r in rows if r.strength.key == key) for key in STRENGTH_ORDER}
    return EvidenceMap(list(matrix), list(STRENGTH_ORDER), cells, totals)


# --- shapes: placed once, drawn by either renderer ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None
    radius: float = 0


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str
    tooltip: str
    claim_id: str | None = None   # a link target in the HTML report


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str
    size: float = 13
    fill: str = "#1f2328"
    anchor: str = "start"          # start | middle | end
    bold: bool = False


@dataclass(slots=True)
class Layout:
    width: float
    height: float
    shapes: list[Rect | Dot | Label] = field(default_factory=list)
    title: str = ""


def layout(emap: EvidenceMap) -> Layout:
    """Every shape of the map in pixel coordinates (y down)."""
    left = float(max(120, round(MARGIN * 2 + CHAR_WIDTH * max((len(t) for t in emap.topics), default=0))))
    width = left + COLUMN_WIDTH * len(emap.columns) + MARGIN
    title = (f"Evidence map: {emap.claim_count} claim{'s' if emap.claim_count != 1 else ''} "
             "by topic, verdict and certainty")
    out = Layout(width, 0, title=title)
    out.shapes.append(Label(MARGIN, 28, title, size=16, bold=True))
    out.shapes.append(Label(MARGIN, 48, "Each dot is one claim (hover for its statement); "
                                        "a claim with two topics is in both rows.", size=12, fill=MUTED))
    _header(out, emap, left)
    y: float = HEADER_TOP + HEADER_HEIGHT
    for index, topic in enumerate(emap.topics):
        y = _topic_row(out, emap, topic, left, y, striped=index % 2 == 1)
    if not emap.topics:
        out.shapes.append(Label(MARGIN, y + 22, "No claims match.", fill=MUTED))
        y += MIN_ROW_HEIGHT
    y = _totals_row(out, emap, left, y)
    out.height = y + MARGIN
    return out


def _header(out: Layout, emap: EvidenceMap, left: float) -> None:
    out.shapes.append(Label(MARGIN, HEADER_TOP + 26, "topic", size=12, fill=MUTED, bold=True))
    for column, key in enumerate(emap.columns):
        fill, ink = STRENGTH_COLOURS[key]
        x = left + column * COLUMN_WIDTH
        top, bottom = HEADINGS[key]
        out.shapes.append(Rect(x + 3, HEADER_TOP + 4, COLUMN_WIDTH - 6, HEADER_HEIGHT - 8, fill, radius=4))
        out.shapes.append(Label(x + COLUMN_WIDTH / 2, HEADER_TOP + 19, top, size=11, fill=ink,
                                anchor="middle", bold=True))
        if bottom:
            out.shapes.append(Label(x + COLUMN_WIDTH / 2, HEADER_TOP + 33, bottom, size=11, fill=ink,
                                    anchor="middle"))


def _row_height(emap: EvidenceMap, topic: str) -> float:
    most = max((len(emap.cell(topic, key)) for key in emap.columns), default=0)
    dot_rows = 1 if most > MAX_DOTS else -(-most // DOTS_PER_ROW)
    return max(MIN_ROW_HEIGHT, 12 + dot_rows * DOT_STEP + 8)


def _topic_row(out: Layout, emap: EvidenceMap, topic: str, left: float, y: float, striped: bool) -> float:
    height = _row_height(emap, topic)
    if striped:
        out.shapes.append(Rect(0, y, out.width, height, STRIPE))
    out.shapes.append(Rect(0, y + height - 1, out.width, 1, GRID))
    name = topic if topic != NO_TOPIC else "(no topic)"
    out.shapes.append(Label(MARGIN, y + height / 2 + 4.5, name, fill=MUTED if topic == NO_TOPIC else "#1f2328"))
    for column, key in enumerate(emap.columns):
        claims = emap.cell(topic, key)
        x = left + column * COLUMN_WIDTH
        out.shapes.extend(_cell_shapes(claims, key, topic, x, y, height))
    return y + height


def _cell_shapes(claims: list[MapClaim], key: str, topic: str, x: float, y: float,
                 height: float) -> list[Rect | Dot | Label]:
    if not claims:
        return []
    fill, ink = STRENGTH_COLOURS[key]
    title = strength_title(key, symbols=False)
    if len(claims) > MAX_DOTS:
        cx, cy = x + COLUMN_WIDTH / 2, y + height / 2
        tooltip = f"{len(claims)} claims in {topic}: {title}"
        return [Dot(cx, cy, 14, fill, tooltip), Label(cx, cy + 4.5, str(len(claims)), size=12, fill=ink,
                                                      anchor="middle", bold=True)]
    per_row = min(DOTS_PER_ROW, len(claims))
    rows = -(-len(claims) // DOTS_PER_ROW)
    x0 = x + COLUMN_WIDTH / 2 - (per_row - 1) * DOT_STEP / 2
    y0 = y + height / 2 - (rows - 1) * DOT_STEP / 2
    return [Dot(x0 + (i % DOTS_PER_ROW) * DOT_STEP, y0 + (i // DOTS_PER_ROW) * DOT_STEP, DOT_RADIUS, fill,
                f"{c.id} ({title}{'; curator: ' + c.curator if c.curator else ''}): {c.statement}", c.id)
            for i, c in enumerate(claims)]


def _totals_row(out: Layout, emap: EvidenceMap, left: float, y: float) -> float:
    out.shapes.append(Rect(0, y, out.width, 2, "#8c959f"))
    out.shapes.append(Label(MARGIN, y + 24, "all claims", bold=True))
    for column, key in enumerate(emap.columns):
        count = emap.totals.get(key, 0)
        out.shapes.append(Label(left + column * COLUMN_WIDTH + COLUMN_WIDTH / 2, y + 24, str(count),
                                fill="#1f2328" if count else MUTED, anchor="middle", bold=bool(count)))
    return y + MIN_ROW_HEIGHT


# --- SVG, written by hand ----------------------------------------------------------------------------


def _n(value: float) -> str:
    """Coordinates with at most one decimal, so the output is stable and small."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def render_svg(emap: EvidenceMap, links: bool = False) -> str:
    """The map as a standalone SVG document; with `links`, each dot links to #claim-ID (for the HTML report)."""
    plan = layout(emap)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="evidence-map" role="img" '
            f'width="{_n(plan.width)}" height="{_n(plan.height)}" '
            f'viewBox="0 0 {_n(plan.width)} {_n(plan.height)}" font-family="{escape(FONT)}">')
    parts = [head, f"<title>{escape(plan.title)}</title>", _describe(emap),
             f'<rect x="0" y="0" width="{_n(plan.width)}" height="{_n(plan.height)}" fill="#ffffff"/>']
    parts += [_svg_shape(shape, links) for shape in plan.shapes]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _describe(emap: EvidenceMap) -> str:
    counts = ", ".join(f"{emap.totals[key]} {strength_title(key, symbols=False)}" for key in emap.columns
                       if emap.totals.get(key))
    text = f"Claims by topic, verdict and certainty: {counts or 'none'}."
    return f"<desc>{escape(text)}</desc>"


def _svg_shape(shape: Rect | Dot | Label, links: bool) -> str:
    if isinstance(shape, Rect):
        stroke = f' stroke="{shape.stroke}"' if shape.stroke else ""
        radius = f' rx="{_n(shape.radius)}"' if shape.radius else ""
        return (f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.width)}" '
                f'height="{_n(shape.height)}" fill="{shape.fill}"{stroke}{radius}/>')
    if isinstance(shape, Dot):
        circle = (f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.r)}" fill="{shape.fill}" '
                  f'stroke="#ffffff" stroke-width="1.5"><title>{escape(shape.tooltip)}</title></circle>')
        if links and shape.claim_id:
            return f'<a href="#claim-{escape(shape.claim_id)}">{circle}</a>'
        return circle
    anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
    weight = ' font-weight="bold"' if shape.bold else ""
    return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" fill="{shape.fill}"'
            f'{anchor}{weight}>{escape(shape.text)}</text>')


# --- PNG, drawn by matplotlib from the same shapes ---------------------------------------------------


PNG_SCALE = 2  # pixels per layout unit: sharp on high-density screens and in slides


def render_png(emap: EvidenceMap) -> bytes:
    """The map as PNG bytes; needs matplotlib (pip install matplotlib), imported only here."""
    from kclaims.errors import BadInput

    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, FancyBboxPatch, Rectangle
    except ImportError:
        raise BadInput("a PNG map needs matplotlib: pip install matplotlib (or write .svg)") from None
    plan = layout(emap)
    dpi = 72 * PNG_SCALE  # 1 layout pixel = 1 point, so font sizes in px carry over as points
    figure = Figure(figsize=(plan.width / 72, plan.height / 72), dpi=dpi)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, plan.width)
    axes.set_ylim(plan.height, 0)
    axes.axis("off")
    for shape in plan.shapes:
        if isinstance(shape, Rect):
            if shape.radius:
                axes.add_patch(FancyBboxPatch((shape.x, shape.y), shape.width, shape.height,
                                              boxstyle=f"round,pad=0,rounding_size={shape.radius}",
                                              facecolor=shape.fill, edgecolor="none"))
            else:
                axes.add_patch(Rectangle((shape.x, shape.y), shape.width, shape.height, facecolor=shape.fill,
                                         edgecolor=shape.stroke or "none"))
        elif isinstance(shape, Dot):
            axes.add_patch(Circle((shape.x, shape.y), shape.r, facecolor=shape.fill, edgecolor="white",
                                  linewidth=1.5))
        else:
            axes.text(shape.x, shape.y, shape.text, fontsize=shape.size, color=shape.fill,
                      ha={"start": "left", "middle": "center", "end": "right"}[shape.anchor], va="baseline",
                      fontweight="bold" if shape.bold else "normal", family="sans-serif")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


MAP_SUFFIXES = (".svg", ".png")


def render_for(emap: EvidenceMap, suffix: str) -> str | bytes:
    """The map in the format a file name asks for: '.svg' text or '.png' bytes (BadInput otherwise)."""
    from kclaims.errors import BadInput

    suffix = suffix.lower()
    if suffix == ".svg":
        return render_svg(emap)
    if suffix == ".png":
        return render_png(emap)
    raise BadInput(f"the map is written as {' or '.join(MAP_SUFFIXES)}; {suffix or 'no suffix'} is neither")
