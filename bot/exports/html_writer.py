"""The appendix as one self-contained, accessible HTML page (for the OPCC website and for print).

Everything is inline (styles, charts as data URIs), so the file can be emailed or published as is.
The page declares its language, uses header/main/footer landmarks and real tables with captions and
scoped header cells; statuses are symbol and word, so colour only ever repeats what the text says,
and the print stylesheet drops colour altogether.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from pathlib import Path

from bot.exports.picture import Chart
from bot.exports.tables import Paper, Section, StatusCell

# Text colours on white reach at least 7:1 (WCAG AAA); tints sit behind dark text only.
STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto;
       max-width: 75rem; padding: 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
dl.cover { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.cover dt { font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #595959; padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
.status-r { background: #fde2e1; } .status-a { background: #fff0d6; }
.status-g { background: #e1f3e4; } .status-b { background: #dfe9f7; }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
a:focus, :focus { outline: 3px solid #0b0c0c; }
@page { size: A4 landscape; margin: 1.5cm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  thead { display: table-header-group; } tr, img { break-inside: avoid; }
  th, td { border-color: #000; } thead th, [class^="status-"] { background: none; }
  h2 { break-after: avoid; }
}
"""


def write_html(paper: Paper, path: Path, charts: Sequence[Chart] = ()) -> None:
    path.write_text(render_html(paper, charts), encoding="utf-8")


def page_start(title: str) -> list[str]:
    """The opening of every page planbot publishes: its language, title and stylesheet, then the body."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
    ]


def render_html(paper: Paper, charts: Sequence[Chart] = ()) -> str:
    parts = [
        *page_start(paper.title),
        "<header>",
        f"<h1>{escape(paper.title)}</h1>",
        '<dl class="cover">',
        *(f"<dt>{escape(label)}</dt><dd>{escape(text)}</dd>" for label, text in paper.cover),
        "</dl>",
        "</header>",
        "<main>",
    ]
    if charts:
        parts.append('<section aria-labelledby="charts"><h2 id="charts">Charts</h2>')
        for chart in charts:
            data = base64.b64encode(chart.png).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{escape(chart.alt)}">'
                f"<figcaption>{escape(chart.title)}</figcaption></figure>"
            )
        parts.append("</section>")
    for section in paper.sections:
        parts.append(_section(section))
    parts += [
        "</main>",
        f"<footer><p>{escape(paper.footer)}</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _section(section: Section) -> str:
    heading = f'<section aria-labelledby="{section.key}"><h2 id="{section.key}">{escape(section.title)}</h2>'
    if not section.rows:
        return f"{heading}<p>{escape(section.empty)}</p></section>"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in section.headers)
    body = []
    for row, texts in zip(section.rows, section.text_rows, strict=True):
        cells = [f'<th scope="row">{escape(texts[0])}</th>']
        for cell, text in zip(row[1:], texts[1:], strict=True):
            css = f' class="status-{cell.code.lower()}"' if isinstance(cell, StatusCell) and cell.code else ""
            cells.append(f"<td{css}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"{heading}<table><caption>{escape(section.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )
