"""One self-contained HTML page: verdict badges with a legend, the evidence map, claims by topic, bibliography.

Nothing on the page reaches the network: the CSS and a little JavaScript (filter and sort, the
page reads fine without it) are inline, the map is inline SVG, fonts are the reader's own, and
a Content-Security-Policy allows only the page's own style and script (by hash), so even a
catalog text that slipped past escaping could not run. Every catalog text goes through `esc`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from html import escape
from typing import TYPE_CHECKING

from kclaims import __version__
from kclaims.export.evidence_map import STRENGTH_COLOURS, build_map, render_svg
from kclaims.model import Source
from kclaims.catalog.query import ClaimRow
from kclaims.export.view import (
    NO_TOPIC,
    REPORT_TITLE,
    STANCE_HEADINGS,
    STRENGTH_ORDER,
    VERDICT_CAVEAT,
    Bibliography,
    EvidenceItem,
    TopicGroup,
    authors_text,
    catalog_summary,
    container,
    count_stance,
    evidence_items,
    group_by_topic,
    grade_title,
    level_text,
    link_appraisal,
    link_text,
    one_line,
    plain_test,
    quotes_by_article,
    source_link,
    strength_counts,
    strength_meaning,
    strength_title,
    topic_strength_counts,
    topic_strength_matrix,
)
from kclaims.export.scorecard import SCORECARD_INTRO, Scorecard, against_phrase, scorecard_cells, scorecard_heads, scorecards
from kclaims.grade import plain_language

if TYPE_CHECKING:
    from kclaims.catalog.changes import CatalogChanges
from kclaims.export.changes import RUBRIC_NOTE, change_phrase, claim_anchor, headline


def esc(text: object) -> str:
    """Catalog text as HTML text or attribute value: <, >, &, quotes escaped; whitespace collapsed."""
    if text is None:
        return ""
    text = str(text)
    return text if _plain(text) else escape(one_line(text), quote=True)


_plain = plain_test("&<>\"'")


def _badge_css() -> str:
    return "\n".join(f".badge-{key}{{background:{fill};color:{ink};border-color:{fill}}}\n"
                     f"th.head-{key}{{border-bottom:4px solid {fill}}}" for key, (fill, ink) in STRENGTH_COLOURS.items())


STYLE = """
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--link:#0550ae}
*{box-sizing:border-box}
body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
.page{max-width:62rem;margin:0 auto;padding:1rem}
h1{font-size:1.7rem;line-height:1.2;margin:.5rem 0}
h2{font-size:1.35rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.1rem;margin:.2rem 0 .3rem}
h4{font-size:.95rem;margin:.8rem 0 .2rem;color:var(--muted)}
a{color:var(--link)}
.summary{font-size:1.05rem}
.caveat,.muted,.facts{color:var(--muted)}
.facts{font-size:.9rem;margin:.2rem 0}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:0 .2em;
border-radius:3px;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.05em .55em;border:1px solid;border-radius:1em;font-size:.85em;
font-weight:600;white-space:nowrap;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.legend{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .8rem;align-items:baseline;margin:0}
.legend dd{margin:0}
.toc{display:flex;flex-wrap:wrap;gap:.3rem .9rem;padding:0;list-style:none}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:600;background:var(--soft)}
details{margin:.6rem 0}summary{cursor:pointer;color:var(--link)}
.none{color:var(--muted);margin:.5rem 0 .2rem;font-size:.95rem}
.none strong{color:var(--muted)}
figure{margin:0}
svg.evidence-map{display:block;max-width:100%;height:auto}
figcaption{font-size:.9rem;color:var(--muted)}
.claim{border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin:1rem 0;
break-inside:avoid;page-break-inside:avoid}
.claim:target{outline:3px solid #ffd33d}
.verdict{margin:.3rem 0}
.reasons{font-size:.9rem;color:var(--muted);margin:.3rem 0;padding-left:1.2rem}
.claim ul{margin:.2rem 0;padding-left:1.2rem}
blockquote{margin:.3rem 0 .5rem;padding:.1rem .8rem;border-left:4px solid var(--line);color:#3b434b}
.supports li::marker{color:#1b5e20}
.contradicts li::marker{color:#c62828}
.retracted{color:#c62828;font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem .8rem;
background:var(--soft);border:1px solid var(--line);border-radius:8px;position:sticky;top:0;z-index:1}
.controls input,.controls select{font:inherit;padding:.15rem .3rem}
.controls input{min-width:12rem}
.bibliography li{margin:.3rem 0;overflow-wrap:anywhere}
footer{margin-top:2rem;font-size:.85rem;color:var(--muted)}
.sof th,.sof td{text-align:left;vertical-align:top}.notes{font-size:.9rem;color:var(--muted)}
.changes li{margin:.2rem 0}
.map-list{display:none;padding-left:0;list-style:none}
.map-list>li{margin:.4rem 0}.map-list ul{margin:.1rem 0;padding-left:1rem}.map-list li li{margin:.15rem 0}
@media (max-width:40rem){body{font-size:15px}.page{padding:.6rem}.claim{padding:.6rem}
.controls{position:static}#map figure{display:none}.map-list{display:block}}
@media print{body{font-size:11pt}.page{max-width:none;padding:0}.controls,.toc{display:none}
a{color:inherit;text-decoration:none}.bibliography a[href^="http"]::after{content:" <" attr(href) ">";
font-size:.85em;color:var(--muted)}.claim{border-color:#999}h2{break-after:avoid}}
""".strip() + "\n" + _badge_css() + "\n"

# Filter by text and by verdict and certainty, sort strongest first; the page is complete without it (controls stay hidden).
SCRIPT = """
(function () {
  var controls = document.getElementById("controls");
  var claims = Array.prototype.slice.call(document.querySelectorAll("article.claim"));
  var sorted = document.getElementById("sorted");
  var text = document.getElementById("filter-text");
  var strength = document.getElementById("filter-strength");
  var order = document.getElementById("sort");
  var shown = document.getElementById("shown");
  var homes = claims.map(function (claim) {
    var mark = document.createComment("claim");
    claim.parentNode.insertBefore(mark, claim);
    return mark;
  });
  function place() {
    if (order.value === "strength") {
      claims.slice().sort(function (a, b) {
        return (a.dataset.rank - b.dataset.rank) || a.dataset.order - b.dataset.order;
      }).forEach(function (claim) { sorted.appendChild(claim); });
    } else {
      claims.forEach(function (claim, i) { homes[i].parentNode.insertBefore(claim, homes[i]); });
    }
    sorted.hidden = order.value !== "strength";
  }
  function filter() {
    var words = text.value.trim().toLowerCase();
    var count = 0;
    claims.forEach(function (claim) {
      var hit = (!words || claim.textContent.toLowerCase().indexOf(words) >= 0) &&
        (!strength.value || claim.dataset.strength === strength.value);
      claim.hidden = !hit;
      if (hit) { count += 1; }
    });
    var filtering = words || strength.value;
    document.querySelectorAll("section.topic").forEach(function (section) {
      var empty = !section.querySelector("article.claim:not([hidden])");
      section.hidden = order.value === "strength" || (empty && (filtering || !section.querySelector(".also")));
    });
    shown.textContent = count + " of " + claims.length + " claims shown";
  }
  function update() { place(); filter(); }
  text.addEventListener("input", filter);
  strength.addEventListener("change", filter);
  order.addEventListener("change", update);
  controls.hidden = false;
  update();
})();
""".strip() + "\n"


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
                           "img-src data:; base-uri 'none'; form-action 'none'")


def badge(key: str) -> str:
    """A verdict and certainty as a coloured badge: "supported, ⊕⊕⊕◯ moderate"."""
    return f'<span class="badge badge-{esc(key)}">{esc(strength_title(key))}</span>'


def export_html(rows: list[ClaimRow], sources: list[Source], since: CatalogChanges | None = None) -> str:
    """The report as one HTML5 document with no external resources; with `since`, a section on what
    changed since that revision follows the scorecard."""
    return "".join(html_chunks(rows, sources, since))


def html_chunks(rows: list[ClaimRow], sources: list[Source], since: CatalogChanges | None = None) -> Iterator[str]:
    """`export_html`'s page in pieces, as they are made: a claim, a table row or a bibliography entry
    at a time, so the page is never held whole."""
    return document_chunks(REPORT_TITLE, _body_pieces(rows, sources, since))


def _body_pieces(rows: list[ClaimRow], sources: list[Source], since: CatalogChanges | None) -> Iterator[str]:
    """The page's body: its parts one to a line."""
    by_id = Bibliography(sources)
    groups = group_by_topic(rows)
    yield "\n".join([f"<header><h1>{esc(REPORT_TITLE)}</h1>", f'<p class="summary">{esc(catalog_summary(rows, sources))}</p>',
                     f'<p class="caveat">{esc(VERDICT_CAVEAT)}</p></header>', _toc(groups), ""])
    yield from _scorecard_pieces(rows, by_id)
    yield "\n".join(["", _changes(since), _legend(rows), _map(rows)])
    yield from _map_list_pieces(rows)
    yield "\n".join([_summary_table(rows), _controls(), '<main id="claims"><h2>Claims by topic</h2>',
                     '<section id="sorted" class="sorted" hidden><h3 class="muted">All claims, strongest evidence '
                     "first</h3></section>"])
    order = {row.claim.id: index for index, row in enumerate(rows)}
    for group in groups:
        yield "\n"
        yield from _topic_pieces(group, by_id, order)
    if not rows:
        yield '\n<p class="muted">No claims match.</p>'
    yield "\n</main>\n"
    yield from _bibliography_pieces(by_id)
    yield (f'\n<footer>Made with kclaims {esc(__version__)}. A self-contained page: it loads nothing '
           "from the network.</footer>")


def document(title: str, body: str, script: bool = True) -> str:
    """A whole HTML5 page around `body`: the report's style, (the report's) script and Content-Security-Policy."""
    return "".join(document_chunks(title, [body], script))


def document_chunks(title: str, body: Iterable[str], script: bool = True) -> Iterator[str]:
    """`document` in pieces: the head, the body's pieces as they come, the end."""
    yield (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        '<div class="page">\n'
    )
    yield from body
    scripts = f"<script>{SCRIPT}</script>\n" if script else ""
    yield f"\n</div>\n{scripts}</body>\n</html>\n"


# --- overview ---------------------------------------------------------------------------------------


def _topic_name(topic: str) -> str:
    return "No topic" if topic == NO_TOPIC else topic


def _topic_id(topic: str) -> str:
    return "topic-none" if topic == NO_TOPIC else f"topic-{topic}"


def _toc(groups: list[TopicGroup]) -> str:
    links = "".join(f'<li><a href="#{esc(_topic_id(g.topic))}">{esc(_topic_name(g.topic))}</a></li>' for g in groups)
    return (f'<nav aria-label="Topics"><ul class="toc"><li><a href="#scorecard">Articles</a></li>'
            f'<li><a href="#map">Evidence map</a></li>{links}'
            '<li><a href="#bibliography">Bibliography</a></li></ul></nav>')


def _scorecard_pieces(rows: list[ClaimRow], sources: Bibliography) -> Iterator[str]:
    cards = scorecards(rows, sources)
    if not cards:
        yield ('<section id="scorecard"><h2>Which articles hold up</h2><p class="muted">No claim records the '
               "article that makes it.</p></section>")
        return
    head = "<tr><th>article</th>" + "".join(f"<th>{esc(h)}</th>" for h in scorecard_heads()) + "</tr>"
    yield (f'<section id="scorecard"><h2>Which articles hold up</h2><p class="muted">{esc(SCORECARD_INTRO)}</p>'
           f'<div class="scroll"><table><thead>{head}</thead><tbody>')
    for card in cards:
        yield (f"<tr><td>{_article_ref(card, sources)}</td>"
               + "".join(f"<td>{n or '·'}</td>" for n in scorecard_cells(card)) + "</tr>")
    yield "</tbody></table></div>"
    opening = "<p>Contradicted claims, each with the strongest study against it:</p><ul>"
    for card in cards:
        if card.against:
            yield (f"{opening}<li>{_article_ref(card, sources)}<ul>"
                   + "".join(f'<li><a href="#claim-{esc(a.row.claim.id)}">{esc(against_phrase(a, sources))}</a></li>'
                             for a in card.against) + "</ul></li>")
            opening = ""
    yield "</section>" if opening else "</ul></section>"


def _article_ref(card: Scorecard, sources: Bibliography) -> str:
    if card.source is None:
        return f"<code>{esc(card.article)}</code> (not in the catalog)"
    return f'<a href="#source-{esc(card.article)}">{esc(sources.name(card.article))}</a>'


def _changes(since: CatalogChanges | None) -> str:
    return "" if since is None else changes_html(since)


def _legend(rows: list[ClaimRow]) -> str:
    counts = strength_counts(rows)
    items = "".join(f"<dt>{badge(key)}</dt><dd>{esc(strength_meaning(key))} "
                    f'<span class="muted">({counts[key]} claim{"s" if counts[key] != 1 else ""})</span></dd>'
                    for key in STRENGTH_ORDER)
    return f'<section id="legend"><h2>Verdicts and certainty</h2><dl class="legend">{items}</dl></section>'


def _map(rows: list[ClaimRow]) -> str:
    svg = render_svg(build_map(rows), links=True)
    return ('<section id="map"><h2>Evidence map</h2><figure><div class="scroll">' + svg + "</div>"
            "<figcaption>Topics against verdict and certainty; each dot is one claim and links to it.</figcaption>"
            "</figure>")


def _map_list_pieces(rows: list[ClaimRow]) -> Iterator[str]:
    """The map for narrow screens, where the figure's labels would shrink past reading: per topic,
    each verdict and certainty that has claims, with links to them. Hidden on wide screens."""
    yield '<ul class="map-list" aria-label="The evidence map as a list">'
    for topic, by_key in topic_strength_matrix(rows).items():
        yield f"<li><strong>{esc(_topic_name(topic))}</strong><ul>"
        for key, found in by_key.items():
            if found:
                yield (f"<li>{badge(key)} " + ", ".join(f'<a href="#claim-{esc(r.claim.id)}">{esc(r.claim.id)}</a>'
                                                        for r in found) + "</li>")
        yield "</ul></li>"
    yield "</ul>"


def _summary_table(rows: list[ClaimRow]) -> str:
    head = ("<tr><th>topic</th>" + "".join(f'<th class="head-{esc(key)}">{esc(strength_title(key))}</th>'
                                           for key in STRENGTH_ORDER) + "<th>total</th></tr>")
    lines = []
    for topic, tally in topic_strength_counts(rows).items():
        cells = "".join(f"<td>{tally.by_key[key] or '·'}</td>" for key in STRENGTH_ORDER)
        lines.append(f'<tr><td><a href="#{esc(_topic_id(topic))}">{esc(_topic_name(topic))}</a></td>{cells}'
                     f"<td>{tally.claims}</td></tr>")
    counts = strength_counts(rows)
    lines.append('<tr class="total"><td>all claims</td>' + "".join(f"<td>{counts[key]}</td>" for key in STRENGTH_ORDER)
                 + f"<td>{len(rows)}</td></tr>")
    return ('<details id="summary"><summary>The map as a table</summary><div class="scroll"><table>'
            f"<thead>{head}</thead><tbody>{''.join(lines)}</tbody></table></div>"
            '<p class="muted">A claim with several topics is counted in each of their rows; '
            "the last row counts every claim once.</p></details></section>")


def _controls() -> str:
    options = "".join(f'<option value="{esc(key)}">{esc(strength_title(key))}</option>' for key in STRENGTH_ORDER)
    return ('<div id="controls" class="controls" hidden>'
            '<label>Find <input id="filter-text" type="search" placeholder="words in a claim or quote"></label>'
            f'<label>Verdict <select id="filter-strength"><option value="">any</option>{options}</select></label>'
            '<label>Order <select id="sort"><option value="topic">by topic</option>'
            '<option value="strength">strongest evidence first</option></select></label>'
            '<span id="shown" class="muted" aria-live="polite"></span></div>')


def changes_html(changes: CatalogChanges) -> str:
    """The changes as an HTML section (a report's "What changed since REV")."""
    items = []
    for change in changes.claims:
        anchor = claim_anchor(change)
        text = esc(change_phrase(change))
        items.append(f'<li><a href="#{esc(anchor)}">{text}</a></li>' if anchor else f"<li>{text}</li>")
    items += [f"<li>source renamed: <code>{esc(b)}</code> -&gt; <code>{esc(a)}</code></li>"
              for b, a in changes.sources_renamed]
    items += [f"<li>source added: <code>{esc(s)}</code></li>" for s in changes.sources_added]
    items += [f"<li>source removed: <code>{esc(s)}</code></li>" for s in changes.sources_removed]
    note = f'<p class="muted">{esc(RUBRIC_NOTE)}</p>' if changes.rubric_before else ""
    listed = f'<ul class="changes">{"".join(items)}</ul>' if items else ""
    return (f'<section id="changes"><h2>What changed since {esc(changes.revision)}</h2><p>{esc(headline(changes))}</p>'
            f"{note}{listed}</section>")


# --- claims -----------------------------------------------------------------------------------------


def _topic_pieces(group: TopicGroup, sources: Bibliography, order: dict[str, int]) -> Iterator[str]:
    yield f'<section class="topic" id="{esc(_topic_id(group.topic))}"><h2>{esc(_topic_name(group.topic))}</h2>'
    for row in group.rows:
        yield "\n" + _claim(row, sources, order[row.claim.id])
    opening = '\n<p class="also">Also in this topic, shown under another: '
    for r in group.also:
        yield f'{opening}<a href="#claim-{esc(r.claim.id)}">{esc(r.claim.statement)}</a> {badge(r.strength.key)}'
        opening = ", "
    yield "</p>\n</section>" if group.also else "\n</section>"


def _claim(row: ClaimRow, sources: Bibliography, order: int) -> str:
    claim = row.claim
    rank = STRENGTH_ORDER.index(row.strength.key)
    topics = ", ".join(esc(t) for t in claim.topics) or "none"
    parts = [
        f'<article class="claim" id="claim-{esc(claim.id)}" data-strength="{esc(row.strength.key)}" '
        f'data-rank="{rank}" data-order="{order}">',
        f"<h3>{esc(claim.statement)}</h3>",
        f'<p class="facts"><code>{esc(claim.id)}</code> · {esc(claim.kind)} · topics: {topics} · '
        f"{row.articles} article(s), {count_stance(row, 'supports')} for, {count_stance(row, 'contradicts')} "
        "against</p>",
        _verdict(row),
        '<ul class="reasons">' + "".join(f"<li>{esc(r)}</li>" for r in row.strength.reasons) + "</ul>",
    ]
    if claim.note:
        parts.append(f"<p>Note: {esc(claim.note)}</p>")
    parts.append(_made_in(row, sources))
    grouped = evidence_items(row, sources)
    for stance, heading in STANCE_HEADINGS:
        if grouped[stance] or stance != "mentions":
            parts.append(_evidence(stance, heading, grouped[stance], sources))
    parts.append("</article>")
    return "\n".join(parts)


def _verdict(row: ClaimRow) -> str:
    strength = row.strength
    text = (f'<p class="verdict">Evidence: {badge(strength.key)} '
            f"{esc(plain_language(strength.verdict, strength.certainty))}")
    grade = row.claim.grade
    if grade:
        text += f" · curator's grade: <strong>{esc(grade_title(grade))}</strong> because {esc(grade.because)}"
    if row.strength.retracted:
        text += (' · <span class="retracted">links a retracted source: '
                 + ", ".join(esc(s) for s in row.strength.retracted) + "</span>")
    return text + "</p>"


def _made_in(row: ClaimRow, sources: Bibliography) -> str:
    articles = quotes_by_article(row)
    if not articles:
        return '<p class="none"><strong>Made in:</strong> no article recorded.</p>'
    items = []
    for source_id, quotes in articles.items():
        quoted = "".join(f"<blockquote>{esc(text)}</blockquote>" for text in quotes)
        items.append(f"<li>{_source_ref(sources, source_id, with_title=True)}{quoted}</li>")
    return f'<h4>Made in</h4><ul class="made-in">{"".join(items)}</ul>'


def _evidence(stance: str, heading: str, items: list[EvidenceItem], sources: Bibliography) -> str:
    if not items:
        return f'<p class="none"><strong>{heading}:</strong> no paper linked.</p>'
    lines = []
    for item in items:
        note = f". {esc(item.note)}" if item.note else ""
        appraisal = link_appraisal(item)
        appraisal = f" ({esc(appraisal)})" if appraisal else ""
        lines.append(f"<li>{_source_ref(sources, item.source_id, with_title=False)}: "
                     f"{esc(level_text(item.level))}{appraisal}{note}</li>")
    return f'<h4>{heading}</h4><ul class="evidence {stance}">{"".join(lines)}</ul>'


def _source_ref(sources: Bibliography, source_id: str, with_title: bool) -> str:
    source = sources.get(source_id)
    if source is None:
        return f"<code>{esc(source_id)}</code> (not in the catalog)"
    text = f'<a href="#source-{esc(source.id)}">{esc(sources.name(source_id))}</a>'
    if with_title and source.title:
        text += f", <cite>{esc(source.title)}</cite>"
    where = container(source)
    if where and not with_title:
        text += f", <i>{esc(where)}</i>"
    link = source_link(source)
    if link:
        text += f' (<a href="{esc(link)}" rel="noopener noreferrer">{esc(link_text(source))}</a>)'
    return text


# --- bibliography -----------------------------------------------------------------------------------


def _bibliography_pieces(sources: Bibliography) -> Iterator[str]:
    if not sources:
        yield '<section id="bibliography"><h2>Bibliography</h2><p class="muted">No sources.</p></section>'
        return
    yield '<section id="bibliography"><h2>Bibliography</h2><ul class="bibliography">'
    for source in sources.order:
        yield _entry(source, sources.name_of(source))
    yield "</ul></section>"


def _entry(source: Source, name: str) -> str:
    parts = [f"<strong>{esc(name)}</strong> (<code>{esc(source.id)}</code>):"]
    if source.authors:
        parts.append(esc(authors_text(source)) + ".")
    parts.append(f"<cite>{esc(source.title or 'Untitled')}</cite>.")
    where = container(source)
    if where:
        parts.append(f"<i>{esc(where)}</i>{_volume_pages(source)}.")
    if source.year:
        parts.append(f"{source.year}.")
    identifiers = _identifiers(source)
    if identifiers:
        parts.append(" · ".join(identifiers))
    if source.retracted:
        parts.append('<span class="retracted">RETRACTED.</span>')
    return f'<li id="source-{esc(source.id)}">{" ".join(parts)}</li>'


def _volume_pages(source: Source) -> str:
    text = f" {esc(source.volume)}" if source.volume else ""
    text += f"({esc(source.issue)})" if source.issue else ""
    text += f":{esc(source.pages)}" if source.pages else ""
    return text


def _identifiers(source: Source) -> list[str]:
    found = []
    if source.doi:
        found.append(f'<a href="{esc(source_link(source))}">doi:{esc(source.doi)}</a>')
    if source.pmid:
        found.append(f'PMID <a href="https://pubmed.ncbi.nlm.nih.gov/{esc(source.pmid)}/">{esc(source.pmid)}</a>')
    if source.pmcid:
        found.append(f'<a href="https://pmc.ncbi.nlm.nih.gov/articles/{esc(source.pmcid)}/">{esc(source.pmcid)}</a>')
    if source.url and not source.doi and not source.pmid:
        link = source_link(source)
        found.append(f'<a href="{esc(link)}">{esc(link)}</a>' if link else esc(source.url))
    return found
