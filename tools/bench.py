"""make bench: jixiao beside its peers, measured in the same run on the same machine, so that every
figure reads as a ratio. Writes output/bench.json.

- cold: one form from a new process (jixiao build pdf --force; plain WeasyPrint on the same HTML;
  LibreOffice converting the form's exported workbook; Typst on the same table).
- warm: the seed rendered again in one process (jixiao's renderer; plain WeasyPrint on the same HTML).
- batch: 20 declarations made from the seed, per form (jixiao with all cores and with --jobs 1; plain
  WeasyPrint in one process and with a process per core; LibreOffice; Typst); peak memory per process;
  jixiao's renders in one process tagged and untagged, form by form in turn (what tagging costs).
- no-op: 1,000 declarations, nothing changed since the last build, beside `jixiao validate` of the
  same files (what deciding by parsing every YAML costs).
- site: 1,000 declarations with their PDFs and workbooks already made (--pdf-from), with and
  without the search index; per page, beside the time `jixiao validate` takes to load them.
- bureau: the generated corpus (tools/corpus.py, 60 departments × 2024/2025) published from scratch
  (build pdf, build xlsx, build site; and build site alone, which makes all three), then again after
  one project file changed (build site, which remakes that PDF and workbook, the pages that show it
  and the search index) and with nothing changed; beside LibreOffice's batch rate for as many
  workbooks, from the same run. Then searches on that site in headless Chromium from a local
  server: the first results' time and the requests per query, beside the home page's load.
  JIXIAO_BENCH_BUREAU=N sets the number of departments.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
JIXIAO = [sys.executable, "-m", "generator"]
BATCH_N = 20
MANY_N = 1000
BUREAU_N = int(os.environ.get("JIXIAO_BENCH_BUREAU", "60"))
# Runs a command and prints the largest resident set of any process it ran (pool workers included).
PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def timed(args: list[str], cwd: Path = ROOT, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def best(args: list[str], runs: int = 3, **kwargs) -> float:
    return min(timed(args, **kwargs) for _ in range(runs))


def make_batch(folder: Path, count: int) -> list[Path]:
    """`count` declarations made from the seed: other departments and years, so nothing is cached."""
    text = SEED.read_text(encoding="utf-8")
    made = []
    for index in range(count):
        year = 2024 + index % 2
        ident = f"bench-dept-{index:04d}"
        body = text.replace("id: nansha-dongchong", f"id: {ident}").replace("year: 2024", f"year: {year}")
        body = body.replace("广州市南沙区东涌镇人民政府", f"测试第{index + 1}号镇人民政府")
        target = folder / str(year) / f"{ident}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        made.append(target)
    return made


# ---- the same HTML for plain WeasyPrint --------------------------------------------------------------


def export_html(sources: list[Path], folder: Path) -> tuple[list[Path], Path]:
    """Each declaration's final print HTML (after jixiao's page-break plan) and one stylesheet."""
    sys.path.insert(0, str(ROOT))
    from generator.core.fonts import font_css
    from generator.input.load import load_file
    from generator.render.paginate import paginate
    from generator.pdf.writer import PdfRenderer
    from generator.render.templates import TEMPLATES, render_form

    renderer = PdfRenderer()
    css = folder / "all.css"
    css.write_text(
        "\n".join((TEMPLATES / "static" / name).read_text(encoding="utf-8") for name in ("form.css", "print.css"))
        + "\n" + font_css(renderer.settings),
        encoding="utf-8",
    )
    pages = []
    for source in sources:
        loaded = load_file(source)
        last = []

        def layout(plan, loaded=loaded, last=last):
            html = render_form(loaded.form, loaded.declaration, "print.html", plan=plan, date="2024-01-01T00:00:00Z")
            last.append(html)
            return renderer.lay_out(html)

        paginate(layout)
        page = folder / f"{source.stem}.html"
        page.write_text(last[-1], encoding="utf-8")
        pages.append(page)
    return pages, css


WEASYPRINT = """
import sys, time
from multiprocessing import get_context
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
base, css, jobs, pages = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
def render(share):
    fonts = FontConfiguration()
    sheet = CSS(filename=css, font_config=fonts)
    for page in share:
        HTML(filename=page, base_url=base).write_pdf(page[:-5] + ".pdf", stylesheets=[sheet], font_config=fonts)
if jobs == 1:
    render(pages)
else:
    with get_context("fork").Pool(jobs) as pool:
        pool.map(render, [pages[i::jobs] for i in range(jobs)])
"""


def weasyprint(pages: list[Path], css: Path, jobs: int = 1) -> float:
    from generator.render.templates import TEMPLATES

    return timed([sys.executable, "-c", WEASYPRINT, str(TEMPLATES), str(css), str(jobs), *map(str, pages)])


# ---- LibreOffice: the form's exported workbook to PDF -----------------------------------------------


def libreoffice(workbooks: list[Path], out: Path, profile: Path) -> float:
    soffice = shutil.which("soffice")
    return timed(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out),
         *map(str, workbooks)],
        env={**os.environ, "HOME": str(profile.parent)},
    )


# ---- Typst: the same table ------------------------------------------------------------------------


def _typ(text: str) -> str:
    """Text as Typst content: markup characters escaped, line breaks kept."""
    for char in "\\#[]*_`$<>@=-+/~\"'":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " \\\n")


def typst_source(path: Path) -> str:
    """The form as a Typst table: the same cells, A4 landscape, Noto CJK."""
    import yaml

    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    cell = lambda v, span=1: f"table.cell(colspan: {span})[{_typ(str(v))}]"  # noqa: E731
    rows = [cell(f"部门名称：{d['department']['name']}", 6)]
    rows += [cell("财政供养人员数"), cell(d["basic_info"]["staff_count"]), cell("下属二级单位数"), cell(d["basic_info"]["subordinate_units"], 3)]
    spending = d["budget"]["spending"]
    rows += [cell("基本支出"), cell(spending["basic"]), cell("项目支出"), cell(spending["project"], 3)]
    for group in ("income", "development", "by_level"):
        for item in d["budget"][group]:
            rows += [cell(item["label"], 3), cell(item["amount"], 3)]
    rows += [cell("总体绩效目标"), cell(d["overall_goal"], 5)]
    for task in d["tasks"]:
        rows += [cell(task["name"]), cell(task["content"], 2), cell(task["funds"]), cell(task["goal"], 2)]
    for level1 in d["indicators"]:
        for group in level1["groups"]:
            for item in group["items"]:
                values = [item.get("period_value", item.get("value", "")), item.get("annual_value", "")]
                rows += [cell(level1["level1"]), cell(group["level2"]), cell(item["level3"], 2), cell(values[0]), cell(values[1])]
    return (
        '#set page(paper: "a4", flipped: true, margin: (top: 22mm, rest: 15mm), footer: context align(center)[第 #counter(page).display() 页 共 #counter(page).final().first() 页])\n'
        '#set text(font: "Noto Serif CJK SC", size: 10.5pt, lang: "zh")\n'
        f'#align(center, text(font: "Noto Sans CJK SC", weight: "bold", size: 16pt)[{_typ(d.get("title", "部门整体预算绩效目标申报表"))}])\n'
        "#table(columns: (1fr, 1fr, 1fr, 1fr, 1fr, 1fr), " + ", ".join(rows) + ")\n"
    )


TYPST = """
import sys, typst
for source in sys.argv[1:]:
    typst.compile(source, output=source[:-4] + ".pdf")
"""


def typst_available() -> bool:
    return subprocess.run([sys.executable, "-c", "import typst"], capture_output=True).returncode == 0


# ---- jixiao ---------------------------------------------------------------------------------------


def warm_seed(repeats: int = 5) -> float:
    sys.path.insert(0, str(ROOT))
    from generator.input.load import load_file
    from generator.pdf.writer import PdfRenderer

    renderer = PdfRenderer()
    loaded = load_file(SEED)
    renderer.render(loaded)  # the first render loads fonts and stylesheets
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        renderer.render(loaded)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tagging(batch: list[Path], rounds: int = 2) -> tuple[float, float]:
    """CPU seconds per form of the batch rendered tagged and untagged (PdfRenderer(tagged=False),
    PDF/A-3b), in one process, form by form in turn (which goes first alternating), best of `rounds`."""
    sys.path.insert(0, str(ROOT))
    from generator.input.load import load_file
    from generator.pdf.writer import PdfRenderer

    renderers = {True: PdfRenderer(tagged=True), False: PdfRenderer(tagged=False)}
    loaded = [load_file(path) for path in batch]
    for renderer in renderers.values():
        renderer.render(loaded[0])  # the first render loads fonts and stylesheets
    best_of = {True: float("inf"), False: float("inf")}
    for _ in range(rounds):
        spent = {True: 0.0, False: 0.0}
        for number, item in enumerate(loaded):
            for tagged in (True, False) if number % 2 else (False, True):
                # CPU time, not wall time: the machine's other work does not land on one side.
                start = time.process_time()
                renderers[tagged].render(item)
                spent[tagged] += time.process_time() - start
        for tagged, seconds in spent.items():
            best_of[tagged] = min(best_of[tagged], seconds / len(loaded))
    return best_of[True], best_of[False]


def warm_weasyprint(page: Path, css: Path, repeats: int = 5) -> float:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from generator.render.templates import TEMPLATES

    fonts = FontConfiguration()
    sheet = CSS(filename=str(css), font_config=fonts)
    HTML(filename=str(page), base_url=str(TEMPLATES)).write_pdf(stylesheets=[sheet], font_config=fonts)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        HTML(filename=str(page), base_url=str(TEMPLATES)).write_pdf(stylesheets=[sheet], font_config=fonts)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mb(args: list[str]) -> float:
    out = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def bureau(work: Path, env: dict, figures: dict) -> None:
    """The bureau row: a generated corpus published from scratch, then after one project file changed."""
    sys.path.insert(0, str(ROOT / "tools"))
    import corpus

    root = work / "bureau"
    manifest = corpus.build_corpus(root, BUREAU_N, (2024, 2025))
    declarations, out, site = root / "declarations", work / "bureau-out", work / "bureau-site"
    figures["bureau_departments"] = BUREAU_N
    figures["bureau_files"] = manifest["files"]
    stages = {
        "pdf": [*JIXIAO, "build", "pdf", "--out", str(out), str(declarations)],
        "xlsx": [*JIXIAO, "build", "xlsx", "--out", str(out), str(declarations)],
        "site": [*JIXIAO, "build", "site", "--pdf-cache", str(out), "--out", str(site), str(declarations)],
    }
    for name, args in stages.items():
        figures[f"bureau_scratch_{name}_s"] = round(timed(args, env=env), 3)
    figures["bureau_scratch_total_s"] = round(sum(figures[f"bureau_scratch_{n}_s"] for n in stages), 3)
    # The whole publication in one command from nothing (its own cache and site, so that the runs
    # below find the first ones as they left them): the PDFs and workbooks are made beside the pages.
    again_out, again_site = work / "bureau-out-2", work / "bureau-site-2"
    one_command = [*JIXIAO, "build", "site", "--pdf-cache", str(again_out), "--out", str(again_site), str(declarations)]
    figures["bureau_scratch_one_command_s"] = round(timed(one_command, env=env), 3)
    shutil.rmtree(again_out)
    shutil.rmtree(again_site)
    # One project's goal changed, three times over (three projects): the site build remakes its PDF,
    # its workbook and its year's, the pages that show it, the listings and the search index.
    projects = sorted((declarations / "2025").glob("*/projects/*.yaml"))
    changes = []
    for project in projects[:3]:
        text = project.read_text(encoding="utf-8")
        project.write_text(text.replace("annual: \"", "annual: \"（修改）", 1), encoding="utf-8")
        changes.append(round(timed(stages["site"], env=env), 3))
    figures["bureau_one_change_s"] = min(changes)
    figures["bureau_one_change_runs_s"] = changes
    figures["bureau_nothing_changed_s"] = round(timed(stages["site"], env=env), 3)
    search_timing(site, manifest, figures)
    if "libreoffice_batch_s_per_doc" in figures:
        figures["bureau_libreoffice_estimate_s"] = round(figures["libreoffice_batch_s_per_doc"] * manifest["files"], 1)
        figures["bureau_libreoffice_note"] = "LibreOffice's batch rate of this run times the corpus's files (workbooks to PDF only)"


# Set before the search page runs: the moment its status line first says what was found.
FIRST_SHOWN = """
new MutationObserver(() => {
  const status = document.getElementById("search-status");
  if (status && window.__shown === undefined && /^(找到|没有)/.test(status.textContent)) window.__shown = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def search_timing(site: Path, manifest: dict, figures: dict) -> None:
    """Queries on the bureau site from a local server in headless Chromium, each in a new browser
    context (an empty cache, as a reader's first search): milliseconds from navigation to the first
    results shown, and requests made; beside the home page's load in the same browser."""
    import functools
    import http.server
    import threading
    from urllib.parse import quote

    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        figures["bureau_search"] = "chromium not installed: tools/system-deps.sh test"
        return
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    department = manifest["departments"][0]
    project = sorted((site / "2025" / department["id"] / "projects").glob("*/index.html"))[0]
    title = project.read_text(encoding="utf-8").split("<title>", 1)[1]
    project_name = re.match(r"(.+?) \d{4}年度", title)[1]
    queries = {
        "department_name": {"q": department["name"]},
        "project_name": {"q": project_name},
        "indicator": {"q": "满意度"},
        "indicator_2025": {"q": "满意度", "year": "2025"},
        "phrase": {"q": "就业服务站"},
    }
    shown, requests, found = {}, {}, {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            for name, params in {"home": None, **queries}.items():
                context = browser.new_context(bypass_csp=True)  # the page's CSP forbids the probe's evaluations
                page = context.new_page()
                made: list[str] = []
                page.on("request", lambda request, made=made: made.append(request.url))
                if params is None:
                    page.goto(origin, wait_until="load")
                    shown[name] = round(page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd"))
                else:
                    page.add_init_script(FIRST_SHOWN)
                    page.goto(origin + "search.html?" + "&".join(f"{k}={quote(v)}" for k, v in params.items()))
                    page.wait_for_function("window.__shown !== undefined", timeout=30_000)
                    shown[name] = round(page.evaluate("window.__shown"))
                    found[name] = page.text_content("#search-status")
                requests[name] = len(made)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    figures["bureau_home_load_ms"] = shown.pop("home")
    figures["bureau_home_requests"] = requests.pop("home")
    figures["bureau_search_first_results_ms"] = shown
    figures["bureau_search_requests"] = requests
    figures["bureau_search_status"] = found  # what the page said it found
    figures["bureau_search_slowest_ms"] = max(shown.values())
    figures["bureau_search_most_requests"] = max(requests.values())


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    env = {**os.environ, "JIXIAO_CACHE": str(work / "cache")}
    figures: dict = {"cpus": len(os.sched_getaffinity(0)), "load_average_at_start": round(os.getloadavg()[0], 2), "batch_n": BATCH_N, "many_n": MANY_N}
    try:
        # The seed, and a batch of 20 made from it, in every tool's input format.
        seed_dir = work / "seed"
        (seed_dir / "2024").mkdir(parents=True)
        shutil.copy(SEED, seed_dir / "2024" / SEED.name)
        batch = make_batch(work / "batch", BATCH_N)
        html_dir = work / "html"
        html_dir.mkdir()
        pages, css = export_html([SEED, *batch], html_dir)
        seed_page, batch_pages = pages[0], pages[1:]
        subprocess.run([*JIXIAO, "build", "xlsx", "--out", str(work / "x-seed"), str(seed_dir)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*JIXIAO, "build", "xlsx", "--out", str(work / "x-batch"), str(work / "batch")], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        seed_xlsx = work / "x-seed" / "xlsx" / "2024" / "nansha-dongchong.xlsx"
        batch_xlsx = [work / "x-batch" / "xlsx" / p.parent.name / f"{p.stem}.xlsx" for p in batch]

        # Cold: one form from a new process.
        subprocess.run([*JIXIAO, "build", "pdf", "--force", "--out", str(work / "out-seed"), str(seed_dir)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
        figures["jixiao_cold_s"] = round(best([*JIXIAO, "build", "pdf", "--force", "--out", str(work / "out-seed"), str(seed_dir)], env=env), 3)
        figures["weasyprint_cold_s"] = round(min(weasyprint([seed_page], css) for _ in range(3)), 3)
        figures["jixiao_seed_pdf_bytes"] = (work / "out-seed" / "pdf" / "2024" / "nansha-dongchong.pdf").stat().st_size
        figures["weasyprint_seed_pdf_bytes"] = seed_page.with_suffix(".pdf").stat().st_size
        if shutil.which("soffice"):
            profile = work / "lo" / "profile"
            libreoffice([seed_xlsx], work / "lo-out", profile)  # the first run creates the profile
            figures["libreoffice_cold_s"] = round(min(libreoffice([seed_xlsx], work / "lo-out", profile) for _ in range(3)), 3)
            figures["libreoffice_batch_s_per_doc"] = round(min(libreoffice(batch_xlsx, work / "lo-out", profile) for _ in range(2)) / BATCH_N, 3)
            figures["libreoffice_seed_pdf_bytes"] = (work / "lo-out" / "nansha-dongchong.pdf").stat().st_size
        else:
            figures["libreoffice"] = "soffice not installed"
        if typst_available():
            typ_dir = work / "typst"
            typ_dir.mkdir()
            sources = []
            for path in [SEED, *batch]:
                source = typ_dir / f"{path.stem}.typ"
                source.write_text(typst_source(path), encoding="utf-8")
                sources.append(source)
            figures["typst_cold_s"] = round(best([sys.executable, "-c", TYPST, str(sources[0])]), 3)
            figures["typst_batch_s_per_doc"] = round(best([sys.executable, "-c", TYPST, *map(str, sources[1:])], runs=2) / BATCH_N, 3)
            figures["typst_seed_pdf_bytes"] = sources[0].with_suffix(".pdf").stat().st_size
            figures["typst_note"] = "the same cells as a plain Typst table (tools/bench.py typst_source), not the official layout"
        else:
            figures["typst"] = "not installed: pip install typst (make bench tries)"

        # Warm: the seed again in one process.
        figures["jixiao_warm_s"] = round(warm_seed(), 3)
        figures["weasyprint_warm_s"] = round(warm_weasyprint(seed_page, css), 3)

        # Batch: 20 forms, per form.
        batch_args = [*JIXIAO, "build", "pdf", "--force", "--out", str(work / "out-batch"), str(work / "batch")]
        # Best of two each: the machine may be shared, and the best run is the least disturbed.
        figures["jixiao_batch_s_per_doc"] = round(best(batch_args, runs=2, env=env) / BATCH_N, 3)
        figures["jixiao_batch_s_per_doc_jobs1"] = round(best([*batch_args, "--jobs", "1"], runs=2, env=env) / BATCH_N, 3)
        figures["weasyprint_batch_s_per_doc"] = round(min(weasyprint(batch_pages, css) for _ in range(2)) / BATCH_N, 3)
        figures["weasyprint_batch_s_per_doc_pool"] = round(min(weasyprint(batch_pages, css, figures["cpus"]) for _ in range(2)) / BATCH_N, 3)
        figures["jixiao_peak_rss_mb_per_process"] = round(peak_mb(batch_args), 1)
        # What the structure tree costs (generator/pdf/tags.py): the batch in one process, tagged and untagged.
        tagged, untagged = tagging(batch)
        figures["jixiao_batch_s_per_doc_tagged_in_process"] = round(tagged, 3)
        figures["jixiao_batch_s_per_doc_untagged_in_process"] = round(untagged, 3)
        figures["tagging_cost"] = round(tagged / untagged - 1, 3)

        # No-op: 1,000 declarations, nothing changed. The first build renders one shard (the
        # decision still reads all 1,000 files and asks git once), so the bench does not render 1,000.
        many = work / "many"
        make_batch(many, MANY_N)
        noop_args = [*JIXIAO, "build", "pdf", "--shard", "1/100", "--out", str(work / "out-many"), str(many)]
        subprocess.run(noop_args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
        figures["jixiao_noop_1000_s"] = round(best(noop_args, env=env), 3)
        figures["jixiao_validate_1000_s"] = round(best([*JIXIAO, "validate", str(many)], runs=1), 3)
        xlsx_args = [*JIXIAO, "build", "xlsx", "--shard", "1/100", "--out", str(work / "out-many"), str(many)]
        subprocess.run(xlsx_args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
        figures["jixiao_noop_xlsx_1000_s"] = round(best(xlsx_args, env=env), 3)

        # Site: 1,000 declarations, their PDFs and workbooks made (copies of the seed's).
        made = work / "made"
        seed_pdf = work / "out-seed" / "pdf" / "2024" / "nansha-dongchong.pdf"
        for source in many.rglob("*.yaml"):
            for kind, original in (("pdf", seed_pdf), ("xlsx", seed_xlsx)):
                target = made / kind / source.relative_to(many).with_suffix(f".{kind}")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(original, target)
        for year in (2024, 2025):  # and each year's workbook, as the workbook stage makes it
            shutil.copyfile(seed_xlsx, made / "xlsx" / str(year) / f"jixiao-{year}.xlsx")
        site_args = [*JIXIAO, "build", "site", "--pdf-from", str(made), "--out", str(work / "site"), str(many)]
        figures["jixiao_site_1000_s"] = round(timed(site_args, env=env), 3)
        figures["jixiao_site_1000_no_search_s"] = round(timed([*site_args, "--no-search"], env=env), 3)
        pages_s = figures["jixiao_site_1000_no_search_s"] - figures["jixiao_validate_1000_s"]
        figures["jixiao_site_ms_per_page"] = round(pages_s / MANY_N * 1000, 2)
        figures["jixiao_site_ms_per_page_note"] = "site without search index minus validate (loading and checking) of the same 1,000"
        bureau(work, env, figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if "libreoffice_batch_s_per_doc" in figures:
        figures["batch_ratio_to_libreoffice"] = round(figures["jixiao_batch_s_per_doc"] / figures["libreoffice_batch_s_per_doc"], 2)
        figures["cold_ratio_to_libreoffice"] = round(figures["jixiao_cold_s"] / figures["libreoffice_cold_s"], 2)
    if "typst_batch_s_per_doc" in figures:
        figures["batch_ratio_to_typst"] = round(figures["jixiao_batch_s_per_doc"] / figures["typst_batch_s_per_doc"], 2)
    figures["batch_ratio_to_weasyprint_pool"] = round(figures["jixiao_batch_s_per_doc"] / figures["weasyprint_batch_s_per_doc_pool"], 2)
    figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    out = ROOT / "output" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key, value in figures.items():
        print(f"{key:36} {value}")
    print(f"→ {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
