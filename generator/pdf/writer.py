"""The PDF stage: WeasyPrint renders each form's template to PDF/A-3b with its YAML inside, and only
the documents whose inputs changed since their PDF was written are rendered again, by a pool of
worker processes (one warm renderer each) when there is more than one to render."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import logging
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.files import Outputs, in_shard, record_finished, write_atomically
from generator.core.unchanged import inputs_fingerprint
from generator.core.fonts import FontError, FontSettings, check_coverage, font_css, resolve_font
from generator.core.history import source_date
from generator.render.html_tree import weasyprint_html
from generator.render.paginate import paginate
from generator.core.problems import Problem
from generator.render.templates import TEMPLATES, render_form

__all__ = ["FontError", "FontSettings", "PdfRenderer", "PdfBuild", "build_pdfs", "pdf_path", "preflight"]

YAML_MIME = "application/yaml"
# Tagged: PDF/A-3a, the level of PDF/A that asks for a structure tree and Unicode text, with PDF/UA-1's
# identification added to its XMP (README, "PDF"); WeasyPrint tags the PDF for this variant.
# Untagged (PdfRenderer(tagged=False), for the bench's comparison): PDF/A-3b.
PDF_VARIANT = "pdf/a-3a"
UNTAGGED_VARIANT = "pdf/a-3b"


def _tagged_finisher(document, pdf) -> None:
    from generator.pdf.compact import finish
    from generator.pdf.tags import identify_ua

    finish(document, pdf)
    identify_ua(pdf)


# The page's margin boxes (the footer, 第 N 页 共 M 页) are not laid out with the body: WeasyPrint would
# work out all sixteen on every page of every layout paginate makes (a twentieth of a render). Each
# page gets them from a blank document with as many pages, laid out once per page count.


@contextmanager
def _without_margin_boxes():
    import weasyprint.layout

    original = weasyprint.layout.make_margin_boxes
    weasyprint.layout.make_margin_boxes = lambda context, page, state: ()
    try:
        yield
    finally:
        weasyprint.layout.make_margin_boxes = original


def _load_weasyprint() -> None:
    """Import WeasyPrint without ctypes.util.find_library: WeasyPrint tries names such as
    `libgobject-2.0-0` before `libgobject-2.0.so.0`, and on Linux each miss runs gcc, ldconfig and ld
    (some 50 processes, 0.1 s of every cold start) to find what the `.so.N` name then loads anyway."""
    import sys

    if "weasyprint.text.ffi" in sys.modules or not sys.platform.startswith("linux"):
        return
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint.text.ffi  # noqa: F401
    except OSError:
        pass  # a library only find_library knows: imported again below, the ordinary way
    finally:
        ctypes.util.find_library = find_library


def preflight(settings: FontSettings) -> None:
    """FontError unless both faces are installed and WeasyPrint has HarfBuzz's subsetter."""
    _load_weasyprint()
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        # WeasyPrint would fall back to fontTools: same PDF, 13x slower. Refuse, say how to fix.
        raise FontError("缺少 HarfBuzz 子集库（libharfbuzz-subset0）；请运行 make pdf 自动安装，或 apt-get install libharfbuzz-subset0")
    for family in {settings.body, settings.heading}:
        resolve_font(family, settings.folder)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@dataclass
class PdfRenderer:
    """One WeasyPrint set-up (FontConfiguration, stylesheets) shared by every PDF of a build."""

    settings: FontSettings = field(default_factory=FontSettings)
    tagged: bool = True  # a structure tree (PDF/UA-1 with PDF/A-3a), else PDF/A-3b

    def __post_init__(self):
        _load_weasyprint()
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        preflight(self.settings)
        self.font_config = FontConfiguration()
        # WeasyPrint reports a stylesheet's problems (an unknown property, a bad value) while parsing
        # it, here, not while rendering: kept, and reported by every render like a layout warning.
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        try:
            self.stylesheets = [
                CSS(filename=str(TEMPLATES / "static" / name), font_config=self.font_config)
                for name in ("form.css", "print.css")
            ]
            self.fonts_css = CSS(string=font_css(self.settings), font_config=self.font_config)
            # WeasyPrint's user-agent stylesheet cut to the print HTML's elements (see the file).
            self.user_agent = CSS(filename=str(TEMPLATES / "static" / "print-ua.css"), font_config=self.font_config)
        finally:
            logger.removeHandler(collect)
        self.stylesheet_warnings = collect.messages
        self._margin_boxes: dict[int, list[tuple]] = {}

    def margin_boxes(self, count: int) -> list[tuple]:
        """For each of `count` pages, its laid-out margin boxes: those of a blank document of
        `count` pages, with the same stylesheets and language as the forms."""
        if count not in self._margin_boxes:
            from weasyprint.formatting_structure.boxes import MarginBox

            html = '<!DOCTYPE html><html lang="zh-CN"><head></head><body><p></p>'
            html += '<p style="break-before: page"></p>' * (count - 1) + "</body></html>"
            blank = self._document(html)
            if len(blank.pages) != count:
                raise RuntimeError(f"a blank document of {count} pages was laid out on {len(blank.pages)}")
            self._margin_boxes[count] = [
                tuple(box for box in page._page_box.children if isinstance(box, MarginBox)) for page in blank.pages
            ]
        return self._margin_boxes[count]

    def _document(self, html: str):
        return weasyprint_html(html, str(TEMPLATES), self.user_agent).render(
            stylesheets=[*self.stylesheets, self.fonts_css], font_config=self.font_config
        )

    def lay_out(self, html: str):
        """The print HTML laid out as a WeasyPrint Document, without its margin boxes (render()
        gives the finished document its footers)."""
        with _without_margin_boxes():
            return self._document(html)

    def check(self, loaded) -> list[Problem]:
        """Characters the chosen faces lack (J501): checked once per document, before any rendering."""
        return check_coverage(loaded, self.settings)

    def render(self, loaded, date: dt.datetime | None = None) -> tuple[bytes | None, list[Problem]]:
        """The PDF's bytes dated `date` (else source_date), or None and the problems: any WeasyPrint
        warning is one (J510). The caller has run check() on the document."""
        from weasyprint import Attachment
        from weasyprint.urls import URLFetcherResponse

        from generator.pdf.compact import cid_subsets, finish
        from generator.pdf.tags import tagged

        form, doc = loaded.form, loaded.declaration
        date = date or source_date(loaded)
        stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        source = loaded.path.read_bytes() if loaded.path.is_file() else loaded.text.encode("utf-8")
        name = f"{form.output_name(doc)}.yaml"
        attachment = Attachment(
            # Through a fetcher so the attachment is typed application/yaml on every machine,
            # whatever the system's MIME database says of .yaml.
            url=f"jixiao:{name}",
            url_fetcher=lambda url: URLFetcherResponse(url, body=source, headers={"Content-Type": YAML_MIME}),
            name=name,
            description=f"{form.name(doc)} {form.year(doc)}年度申报数据（YAML 源文件）",
            created=date,
            modified=date,
            relationship="Source",
        )
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)

        def layout(plan):
            return self.lay_out(render_form(form, doc, "print.html", plan=plan, date=stamp))

        try:
            # Laid out, read back, and laid out again where a group or row must be cut at a page
            # break so that every page carries its labels (generator/paginate.py).
            document, _plan = paginate(layout)
            for page, margins in zip(document.pages, self.margin_boxes(len(document.pages))):
                page._page_box.children = (*page._page_box.children, *margins)
            # Fonts cut once, to the glyphs used; the structure tree built by pdf/tags.py.
            with cid_subsets(), (tagged(document) if self.tagged else nullcontext()):
                pdf = document.write_pdf(
                    finisher=_tagged_finisher if self.tagged else finish,
                    pdf_variant=PDF_VARIANT if self.tagged else UNTAGGED_VARIANT,
                    attachments=[attachment],
                    pdf_identifier=hashlib.md5(source).hexdigest().encode(),
                    uncompressed_pdf=False,
                )
        finally:
            logger.removeHandler(collect)
        # Each layout reports the same problem again: once is enough.
        messages = list(dict.fromkeys([*self.stylesheet_warnings, *collect.messages]))
        if messages:
            return None, [loaded.report("J510", (), detail=message) for message in messages]
        return pdf, []


def pdf_path(out: Path, loaded) -> Path:
    """output/pdf/<location>.pdf: 2024/nansha-dongchong.pdf, 2024/nansha-dongchong/projects/roads.pdf."""
    return out / "pdf" / f"{loaded.location}.pdf"


@dataclass
class PdfBuild(Outputs):
    renderer: PdfRenderer | None = None  # the in-process renderer, when one was made (serve keeps it)


# What forked workers render: set before the pool starts, so each worker inherits it instead of
# having documents pickled to it; each worker makes its renderer once and keeps it warm.
_WORK: dict = {}


def _settle() -> None:
    """Move what lives all build long (modules, fonts, stylesheets, the loaded documents) out of the
    cyclic collector's sight: a render makes some 100,000 short-lived objects, and the full
    collections they trigger would walk every long-lived one too, a tenth of each render's time."""
    gc.collect()
    gc.freeze()


def _start_worker() -> None:
    from generator.core.outdir import die_with_parent

    die_with_parent()
    _WORK["renderer"] = PdfRenderer(_WORK["settings"])
    _settle()


def _render_in_worker(index: int):
    item, date = _WORK["todo"][index]
    return _WORK["renderer"].render(item, date)


def _rendered(todo: list, settings: FontSettings, jobs: int, renderer: PdfRenderer | None):
    """(bytes, problems) for each (document, date) in order: in this process, or by `jobs` forked
    workers. Returns an iterator and the in-process renderer (made here when none was given)."""
    jobs = min(jobs, len(todo))
    if jobs <= 1:
        if renderer is None:
            renderer = PdfRenderer(settings)
            _settle()
        return (renderer.render(item, date) for item, date in todo), renderer
    import multiprocessing

    preflight(settings)  # a worker that cannot start would be restarted for ever: refuse here
    _WORK.update(todo=todo, settings=settings)
    gc.freeze()  # before fork: the workers' collections leave the parent's objects (and pages) alone
    # fork: the workers start with jixiao and WeasyPrint imported and the documents loaded.
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker)

    def results():
        try:
            yield from pool.imap(_render_in_worker, range(len(todo)))
        finally:
            pool.terminate()
            pool.join()
            _WORK.clear()

    return results(), renderer


def build_pdfs(
    documents: list, out: Path, settings: FontSettings, force: bool = False, progress=None, jobs: int = 1,
    shard: tuple[int, int] | None = None, renderer: PdfRenderer | None = None,
) -> PdfBuild:
    """Render every document (of this shard) whose inputs changed since its PDF was written;
    nothing is written on error."""
    result = PdfBuild()
    documents = [item for item in documents if in_shard(item.location, shard)]
    common = inputs_fingerprint(settings)
    manifest_path = out / "pdf" / ".fingerprints.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    todo = []
    for item in documents:
        target = pdf_path(out, item)
        key = target.relative_to(out).as_posix()
        result.files[item.location] = target
        date = source_date(item)  # the PDF carries the same date
        stamp = f"{common}\0{date.isoformat()}\0".encode()
        fingerprint = hashlib.sha256(stamp + item.digest.encode()).hexdigest()
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        todo.append((item, date, target, key, fingerprint))
    # The fonts' coverage, for the documents to render: an unchanged PDF was made with these very
    # fonts (they are in its fingerprint) from a text they covered.
    for item, *_ in todo:
        result.problems.extend(check_coverage(item, settings))
    if result.problems:
        return result
    if not todo:  # nothing to render: WeasyPrint is not even imported
        return result
    results, result.renderer = _rendered([(item, date) for item, date, *_ in todo], settings, jobs, renderer)
    shown = progress(todo) if progress else todo
    try:
        for (item, _date, target, key, fingerprint), (data, problems) in zip(shown, results):
            if problems:
                result.problems.extend(problems)
                continue
            write_atomically(target, data)
            manifest[key] = fingerprint
            result.written.append(target)
    except BaseException:
        record_finished(manifest_path, manifest)  # a disk that filled half-way: the rest is redone next time
        raise
    finally:
        if hasattr(results, "close"):
            results.close()  # the pool's workers end here
    write_atomically(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return result
