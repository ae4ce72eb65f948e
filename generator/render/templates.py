"""The Jinja2 environment shared by the PDF and the site: autoescaping, strict undefined, money, safe
Markdown, and a loader that finds each form's templates in its own folder as <kind>/<name>."""

from __future__ import annotations

import re
from functools import lru_cache, partial

import jinja2
import markdown
import nh3
from markupsafe import Markup

from generator.core import registry
from generator.core.fieldpath import label
from generator.core.fields import format_amount, format_money
from generator.render.paginate import FlowsPiece, Plan, cut_flows

from generator.core.files import DOCS, TEMPLATES  # shared templates: print.html, the site's pages, static files

# The user guide (Markdown), rendered into the site at help/; in a wheel it is package data too.


# What Markdown in a declaration may become; anything else (raw HTML, scripts, styles) is dropped.
ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "code", "blockquote", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    """One converter, reset before each text: making one per text was half of a site page's time."""
    return markdown.Markdown(extensions=["nl2br", "sane_lists"], output_format="html")


# Plain text, which Markdown would only cut into paragraphs and lines: no character that is markup
# within a line (nor HTML's & < >), no control character, no white space but spaces and line breaks...
_NOT_PLAIN = re.compile(r"[\\`*_\[\]!<>&\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]|[^\S \n]")
# ...and no line that could begin a block (heading, list, quote, rule, code) or break a line (spaces at its end).
_BLOCK_LINE = re.compile(r"^(?:[-+=#> ]|\d+[.)])|[ ]$", re.MULTILINE)


def _is_plain(text: str) -> bool:
    return not _NOT_PLAIN.search(text) and not _BLOCK_LINE.search(text)


def _plain_html(text: str) -> str:
    """What Markdown and nh3 make of plain text: a <p> per paragraph, <br> at each line break."""
    paragraphs = (part.strip("\n") for part in text.split("\n\n"))
    return "\n".join(f"<p>{part.replace(chr(10), '<br>' + chr(10))}</p>" for part in paragraphs if part)


def _markdown_html(text: str) -> str:
    html = _markdown().reset().convert(text.replace("<", "&lt;"))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,  # a rel without an href is invalid HTML; these links open in the same tab anyway
        strip_comments=True,
    )


def markdown_to_html(text: str | None) -> Markup:
    """Markdown → sanitised HTML. Line breaks stay line breaks, as the author typed them.

    Raw HTML is off: every `<` is escaped before Markdown sees it, so a tag typed into a
    declaration shows as the text it is. nh3 then keeps only the tags Markdown makes and
    links to http, https and mailto (an <a> whose URL it drops stays as plain link text).
    Plain text, as most prose in a declaration is, skips both for the same HTML (tested):
    Markdown's parser was most of a site page's time.
    """
    if not text or not text.strip():
        return Markup("")
    if _is_plain(text):
        return Markup(_plain_html(text))
    return Markup(_markdown_html(text))


# The guide has headings, code blocks and tables besides; still no raw HTML, no scripts, no styles.
DOC_TAGS = ALLOWED_TAGS | {"h1", "h2", "h3", "h4", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}
_DOC_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^"#?]*?)\.md(#[^"]*)?"')


def doc_to_html(text: str) -> Markup:
    """A page of the guide: Markdown (with fenced code and tables) → HTML cleaned by the same
    sanitiser as a declaration's prose, with links to other pages (first-filing.md) made links to
    their pages on the site (first-filing.html)."""
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=DOC_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True)
    return Markup(_DOC_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', clean))


class FormLoader(jinja2.BaseLoader):
    """<kind>/<name> → the file <name> in that form's folder, looked up in the registry each time,
    so a form registered later (a plug-in, a test) is found too."""

    def get_source(self, environment, template):
        kind, _, name = template.partition("/")
        form = registry.forms().get(kind)
        if form is None or not name:
            raise jinja2.TemplateNotFound(template)
        return jinja2.FileSystemLoader(form.folder).get_source(environment, name)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Templates compiled once and kept in the cache folder (checked against their source when
    read): compiling them anew was a tenth of a one-form cold start. A cache folder that cannot be
    written is no error; the templates are compiled every time instead."""

    def __init__(self):
        from generator.core.fonts import cache_folder

        folder = cache_folder() / "templates"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        super().__init__(str(folder))

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), FormLoader()]),
        bytecode_cache=_CompiledTemplates(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = format_money
    env.filters["amount"] = format_amount
    env.filters["markdown"] = markdown_to_html
    return env


def document_title(form, doc) -> str:
    """广州市南沙区东涌镇人民政府 2024年度部门整体预算绩效目标申报表: page titles, PDF metadata."""
    return f"{form.name(doc)} {form.year(doc)}年度{form_title(form, doc)}"


def form_title(form, doc) -> str:
    """The title a document prints: its own `title:` where the form has one, else the form's name."""
    return getattr(doc, "title", None) or form.title


def flow_pieces(flows: dict[str, Markup], cuts: list[dict[str, int]]) -> list[FlowsPiece]:
    """A row's flows cut where the plan says (paginate.cut_flows). A row it does not cut, as every
    row of a site page, is one piece as it is: cut_flows would parse its HTML and write it out again,
    the same elements and text, at a sixth of a site page's time."""
    if not cuts:
        return [FlowsPiece(dict(flows), {name: 0 for name in flows}, continued=False, break_before=False)]
    return cut_flows(flows, cuts)


def prose_rows(key: str, text: str | None, plan: Plan) -> list[dict]:
    """A labelled row of Markdown prose, or one piece per page it runs over when the plan cuts it
    (generator/paginate.py); the template repeats the label on each piece."""
    return [{"key": key, "piece": piece} for piece in flow_pieces({"text": markdown_to_html(text)}, plan.cuts(key))]


def form_context(form, doc, plan: Plan | None = None) -> dict:
    """Everything form.html is rendered with: the model as `d`, its labels as L(…), its own rows.
    `plan` (from paginate, for the PDF) says where rows and groups are cut at page breaks."""
    return {
        "d": doc,
        "form": form,
        "form_template": form.template("form.html"),
        "L": partial(label, form.model),
        "document_title": document_title(form, doc),
        "form_title": form_title(form, doc),
        "year": form.year(doc),
        "department": form.department(doc),
        **form.context(doc, plan or Plan()),
    }


def render_form(form, doc, template: str = "print.html", plan: Plan | None = None, **extra) -> str:
    return environment().get_template(template).render(**form_context(form, doc, plan), **extra)
