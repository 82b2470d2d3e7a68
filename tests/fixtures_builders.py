"""Builders for reader test inputs: every input is made here, in code, from text written for the tests."""
from __future__ import annotations

import io
import zipfile
from html import escape

# An original little story, three chapters; {i}...{/i} marks italics.
STORY = [
    ("Chapter 1: The Ferry", [
        "The ferry to Skellig Point left at six, and Mara was the only passenger.",
        "\u201cYou're early,\u201d said the pilot, coiling a rope. \u201cNobody's ever early.\u201d",
        "{i}Somebody has to be{/i}, she thought, and climbed aboard.",
        "* * *",
        "By seven the island was a grey thumb on the horizon.",
    ]),
    ("Chapter 2: The Keeper", [
        "Old Tamsin kept the light the way other people kept bees: with {i}patience{/i} and a little fear.",
        "\u201cYou'll want the lower room,\u201d Tamsin said. \u201cThe upper one sings when the wind is east.\u201d",
    ]),
    ("Chapter 3: East Wind", [
        "The wind turned east on the third night.",
        "Mara lay awake and listened to the room above her {b}sing{/b}.",
        "In the morning she asked Tamsin who had built the tower, and Tamsin only said, {i}Ask the tower.{/i}",
    ]),
]

TAGS = {
    "Rating": ["Teen And Up Audiences"],
    "Archive Warning": ["No Archive Warnings Apply"],
    "Category": ["F/F", "Gen"],
    "Fandom": ["Original Work"],
    "Relationships": ["Mara/Tamsin"],
    "Characters": ["Mara (Original Character)", "Tamsin (Original Character)"],
    "Additional Tags": ["Lighthouses", "Slow Burn", "Weather as a Character"],
}
EXPECTED_TAGS = {
    "rating": ("Teen And Up Audiences",),
    "archive_warnings": ("No Archive Warnings Apply",),
    "categories": ("F/F", "Gen"),
    "fandoms": ("Original Work",),
    "relationships": ("Mara/Tamsin",),
    "characters": ("Mara (Original Character)", "Tamsin (Original Character)"),
    "additional_tags": ("Lighthouses", "Slow Burn", "Weather as a Character"),
    "language": ("English",),
    "series": ("Part 2 of The Skellig Cycle",),
    "collections": ("Tiny Islands Fest 2026",),
}
SUMMARY = "A ferry, a keeper, and a tower that sings when the wind is east."
WORK_NOTES = "Thank you to my beta, who knows everything about fog."
END_NOTES = "Come find me on the shore if you want more of these two."
CHAPTER_SUMMARY = "Mara arrives before anyone expects her."
CHAPTER_NOTES = "This chapter was written on a real ferry."
CHAPTER_END_NOTES = "Next time: the upper room."
# Words that only ever appear in the preface, notes and summaries, never in the story.
NOT_STORY = ["beta", "ferry, a keeper", "real ferry", "Next time", "find me on the shore",
             "Teen And Up", "Posted originally", "Preface", "Afterword", "Chapter Summary",
             "Chapter Notes", "End Notes", "Mara/Tamsin", "Published", "Kudos", "Lighthouses",
             "arrives before anyone", "See the end"]
ITALIC_WORDS = ["Somebody has to be", "patience", "Ask the tower."]


def paragraph_html(text: str) -> str:
    return escape(text, quote=False).replace("{i}", "<em>").replace("{/i}", "</em>") \
        .replace("{b}", "<strong>").replace("{/b}", "</strong>")


def chapter_body_html(paragraphs) -> str:
    out = []
    for p in paragraphs:
        out.append("<hr />" if p == "* * *" else f"<p>{paragraph_html(p)}</p>")
    return "\n".join(out)


def preface_html() -> str:
    dl = []
    for label, values in TAGS.items():
        links = ", ".join(f'<a href="https://example.org/tags/{escape(v)}">{escape(v)}</a>' for v in values)
        dl.append(f"<dt>{label}:</dt>\n<dd>{links}</dd>")
    dl.append("<dt>Language:</dt>\n<dd>English</dd>")
    dl.append('<dt>Series:</dt>\n<dd>Part 2 of\n<a href="https://example.org/series/1">The Skellig Cycle</a></dd>')
    dl.append('<dt>Collections:</dt>\n<dd><a href="https://example.org/c/1">Tiny Islands Fest 2026</a></dd>')
    dl.append("<dt>Stats:</dt>\n<dd>\nPublished: 2026-01-02\nUpdated: 2026-02-03\nWords: 1,234\n"
              "Chapters: 3/3\n</dd>")
    tags = "\n".join(dl)
    return f"""<div id="preface">
<h2 class="toc-heading">Preface</h2>
<p class="message">
<b>The Singing Tower</b><br/>
Posted originally on the <a href="https://example.org/">Archive</a> at <a href="https://example.org/works/1">https://example.org/works/1</a>.
</p>
<div class="meta">
<dl class="tags">
{tags}
</dl>
<h1>The Singing Tower</h1>
<div class="byline">by <a rel="author" href="https://example.org/users/gull">gullwing</a>, <a rel="author" href="https://example.org/users/tern">ternpike</a></div>
<p>Summary</p>
<blockquote class="userstuff"><p>{escape(SUMMARY)}</p></blockquote>
<p>Notes</p>
<blockquote class="userstuff"><p>{escape(WORK_NOTES)}</p></blockquote>
<div class="endnote-link">See the end of the work for more <a href="#endnotes">notes</a></div>
</div>
</div>"""


def chapter_html(index: int, title: str, paragraphs, first: bool) -> str:
    meta = [f'<h2 class="heading">{escape(title)}</h2>']
    if first:
        meta.append(f'<p>Chapter Summary</p>\n<blockquote class="userstuff"><p>{escape(CHAPTER_SUMMARY)}</p></blockquote>')
        meta.append(f'<p>Chapter Notes</p>\n<blockquote class="userstuff"><p>{escape(CHAPTER_NOTES)}</p></blockquote>')
        meta.append(f'<div class="endnote-link">See the end of the chapter for <a href="#endnotes{index}">more notes</a></div>')
    out = ['<div class="meta group">', *meta, "</div>", "", "<!--chapter content-->",
           '<div class="userstuff">', chapter_body_html(paragraphs), "</div>", "<!--/chapter content-->"]
    if first:
        out.append(f'<div class="meta" id="endnotes{index}">\n<p>Chapter End Notes</p>\n'
                   f'<blockquote class="userstuff"><p>{escape(CHAPTER_END_NOTES)}</p></blockquote>\n</div>')
    return "\n".join(out)


def afterword_html() -> str:
    return f"""<div id="afterword">
<h2 class="toc-heading">Afterword</h2>
<div class="meta">
<div id="endnotes">
<p>End Notes</p>
<blockquote class="userstuff"><p>{escape(END_NOTES)}</p></blockquote>
</div>
</div>
<p class="message">Please drop by the Archive and comment to let the creator know if you enjoyed their work!</p>
</div>"""


def ao3_html(story=STORY) -> str:
    chapters = "\n\n".join(chapter_html(i + 1, t, ps, i == 0) for i, (t, ps) in enumerate(story))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8"/>
<title>The Singing Tower - gullwing - Original Work [Archive]</title>
<style type="text/css">body {{ font-family: serif; }}</style>
</head>
<body>
{preface_html()}
<div id="chapters" class="userstuff">
{chapters}
</div>
{afterword_html()}
</body>
</html>
"""


def xhtml(body: str, title: str = "x") -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">\n'
            f'<head><title>{escape(title)}</title></head>\n<body>\n{body}\n</body>\n</html>\n')


CONTAINER = ('<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles></container>')


def build_epub(docs: list[tuple[str, str, str | None]], *, title="The Singing Tower", creators=("gullwing", "ternpike"),
               language="en", description=None, subjects=(), opf_dir="OEBPS", nav=True, ncx=True,
               extra_entries=(), opf_override: str | None = None, mimetype=True) -> bytes:
    """docs: (file name, xhtml text, toc title or None), in spine order."""
    buf = io.BytesIO()
    pre = f"{opf_dir}/" if opf_dir else ""
    with zipfile.ZipFile(buf, "w") as zf:
        if mimetype:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", CONTAINER.format(opf=f"{pre}content.opf"))
        manifest = []
        spine = []
        for i, (fname, _, _) in enumerate(docs):
            manifest.append(f'<item id="d{i}" href="{fname}" media-type="application/xhtml+xml"/>')
            spine.append(f'<itemref idref="d{i}"/>')
        if nav:
            manifest.append('<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>')
        if ncx:
            manifest.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
        meta = [f"<dc:title>{escape(title)}</dc:title>", f"<dc:language>{language}</dc:language>",
                '<dc:identifier id="uid">urn:uuid:00000000-0000-0000-0000-000000000001</dc:identifier>']
        meta += [f"<dc:creator>{escape(c)}</dc:creator>" for c in creators]
        if description:
            meta.append(f"<dc:description>{escape(description)}</dc:description>")
        meta += [f"<dc:subject>{escape(s)}</dc:subject>" for s in subjects]
        opf = opf_override or f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
{chr(10).join(meta)}
</metadata>
<manifest>
{chr(10).join(manifest)}
</manifest>
<spine{' toc="ncx"' if ncx else ''}>
{chr(10).join(spine)}
</spine>
</package>"""
        zf.writestr(f"{pre}content.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
        for fname, text, _ in docs:
            zf.writestr(f"{pre}{fname}", text, compress_type=zipfile.ZIP_DEFLATED)
        toc = [(f, t) for f, _, t in docs if t]
        if nav:
            items = "\n".join(f'<li><a href="{f}">{escape(t)}</a></li>' for f, t in toc)
            zf.writestr(f"{pre}nav.xhtml", xhtml(f'<nav epub:type="toc" xmlns:epub="http://www.idpf.org/2007/ops">'
                                                 f'<ol>{items}</ol></nav>', "Contents"))
        if ncx:
            points = "\n".join(f'<navPoint id="n{i}" playOrder="{i + 1}"><navLabel><text>{escape(t)}</text></navLabel>'
                               f'<content src="{f}"/></navPoint>' for i, (f, t) in enumerate(toc))
            zf.writestr(f"{pre}toc.ncx", '<?xml version="1.0" encoding="utf-8"?>\n'
                        f'<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><navMap>{points}</navMap></ncx>')
        for name, data in extra_entries:
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def ao3_epub(story=STORY, **kw) -> bytes:
    """The story as AO3 serves it as EPUB: preface, one file per chapter, afterword."""
    docs = [("Singing_Tower_split_000.xhtml", xhtml(preface_html(), "Preface"), "Preface")]
    for i, (t, ps) in enumerate(story):
        body = f'<div id="chapters" class="userstuff">\n{chapter_html(i + 1, t, ps, i == 0)}\n</div>'
        docs.append((f"Singing_Tower_split_{i + 1:03d}.xhtml", xhtml(body, t), t))
    docs.append((f"Singing_Tower_split_{len(story) + 1:03d}.xhtml", xhtml(afterword_html(), "Afterword"), "Afterword"))
    kw.setdefault("description", SUMMARY)
    kw.setdefault("subjects", ("Fanworks", "Teen And Up Audiences", "Original Work"))
    return build_epub(docs, **kw)


def markdown_story() -> str:
    lines = ["---", "title: The Singing Tower", "author: gullwing", "tags: [Lighthouses, Slow Burn]", "---", "",
             "# The Singing Tower", ""]
    for title, paragraphs in STORY:
        lines += [f"## {title}", ""]
        for p in paragraphs:
            lines += [p.replace("{i}", "*").replace("{/i}", "*").replace("{b}", "**").replace("{/b}", "**"), ""]
    return "\n".join(lines)
