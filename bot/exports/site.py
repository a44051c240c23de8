"""The public site's index page: one accessible HTML page linking every published document and its CSV.

It opens as the appendix does (``html_writer.page_start``: its language, title and stylesheet), uses
landmarks and a heading per year, and every link says what it opens (the document, or its figures
as CSV), so a screen reader's list of links reads on its own.
"""

from __future__ import annotations

from html import escape

from bot.exports import file_name
from bot.exports.html_writer import page_start
from commands.site import CSV_LINK, Site


def render_index(site: Site) -> str:
    parts = [
        *page_start(site.title),
        f"<header><h1>{escape(site.title)}</h1></header>",
        "<main>",
        f"<p>{escape(site.intro)}</p>",
    ]
    for year in site.years:
        key = "year-" + year.label.replace("/", "-")
        parts.append(f'<section aria-labelledby="{key}"><h2 id="{key}">{escape(year.label)}</h2><ul>')
        for document in year.documents:
            page, data = (file_name(document.in_format(fmt)) for fmt in ("html", "csv"))
            title = escape(document.title)
            parts.append(
                f'<li><a href="{escape(page)}">{title}</a> '
                f'(<a href="{escape(data)}" aria-label="{title}: {escape(CSV_LINK)}">{escape(CSV_LINK)}</a>)</li>'
            )
        parts.append("</ul></section>")
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"
