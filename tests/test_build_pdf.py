"""`jixiao build pdf` as a user runs it: refusals write nothing, one PDF per declaration under
output/pdf/<year>/<id>.pdf, unchanged ones skipped, changed ones and --force rebuilt, files
world-readable, identical across processes, a department's own font folder used.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from fixtures import ROOT, SEED_YAML, line_of, pdf_text, pdffonts, squash, synthetic_declaration

JIXIAO = Path(sys.executable).parent / "jixiao"
SUMMARY = re.compile(r"PDF：生成 (\d+) 个，未改动跳过 (\d+) 个，共 (\d+) 个申报")
OLD = 1_000_000_000  # a file time long past: a PDF left alone keeps it


def jixiao(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    assert JIXIAO.exists(), f"{JIXIAO} is not installed"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    for name in ("JIXIAO_FONT_DIR", "JIXIAO_BODY_FONT", "JIXIAO_HEADING_FONT"):
        env.pop(name, None)
    result = subprocess.run(
        [str(JIXIAO), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env,
        timeout=180, preexec_fn=lambda: os.umask(0o022),
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def summary(result: subprocess.CompletedProcess) -> tuple[int, int, int]:
    found = SUMMARY.search(result.stdout)
    assert found, result.stdout + result.stderr
    return tuple(int(n) for n in found.groups())


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


SYNTHETIC = {
    f"{year}/{dept}": synthetic_declaration(tasks, indicators, year=year, dept_id=dept, department=f"测试{tag}部门", tag=tag)
    for year, dept, tag, tasks, indicators in (
        (2024, "dept-a", "甲", 2, 5),
        (2024, "dept-b", "乙", 4, 9),
        (2025, "dept-c", "丙", 3, 12),
        (2025, "dept-d", "丁", 8, 20),
    )
}


def declarations(root: Path) -> dict[str, Path]:
    """Four departments over two years, written as a repository holds them: <root>/<year>/<id>.yaml."""
    return {key: s.write(root) for key, s in SYNTHETIC.items()}


# ---- a build, then again, then after an edit, then forced -------------------------------------------


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    paths = declarations(root / "declarations")
    out = root / "output"
    pdfs = {key: out / "pdf" / f"{key}.pdf" for key in paths}
    record = {"paths": paths, "out": out, "pdfs": pdfs}

    def snapshot():
        return {key: (p.read_bytes(), p.stat().st_mtime_ns) for key, p in pdfs.items() if p.exists()}

    record["first"] = jixiao("build", "pdf", "--out", str(out), str(root / "declarations"))
    record["after_first"] = snapshot()
    record["modes"] = {str(p.relative_to(out)): p.stat().st_mode & 0o777 for p in out.rglob("*")}
    for path in pdfs.values():
        os.utime(path, ns=(OLD * 10**9, OLD * 10**9))
    record["second"] = jixiao("build", "pdf", "--out", str(out), str(root / "declarations"))
    record["after_second"] = snapshot()
    changed = paths["2025/dept-c"]
    text = changed.read_text(encoding="utf-8")
    record["new_name"] = "丙重点任务改名为绿美生态建设"
    changed.write_text(text.replace(SYNTHETIC["2025/dept-c"].tasks[1].name, record["new_name"]), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != text
    record["third"] = jixiao("build", "pdf", "--out", str(out), str(root / "declarations"))
    record["after_third"] = snapshot()
    for path in pdfs.values():
        os.utime(path, ns=(OLD * 10**9, OLD * 10**9))
    record["forced"] = jixiao("build", "pdf", "--force", "--out", str(out), str(root / "declarations"))
    record["after_forced"] = snapshot()
    return record


def test_first_build_writes_one_pdf_per_declaration_by_year_and_id(builds):
    result = builds["first"]
    assert result.returncode == 0, result.stderr
    assert summary(result) == (4, 0, 4)
    out = builds["out"]
    pdfs = [name for name in files_under(out / "pdf") if not Path(name).name.startswith(".")]
    assert pdfs == sorted(f"{key}.pdf" for key in builds["paths"])
    for key, source in builds["paths"].items():
        reader = PdfReader(builds["pdfs"][key])
        assert reader.attachments == {f"{Path(key).name}.yaml": [source.read_bytes()]}
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        assert reader.metadata.author == data["department"]["name"]
        assert str(data["year"]) in reader.metadata.title


def test_no_temporary_files_are_left(builds):
    leftovers = [name for name in files_under(builds["out"]) if name.endswith((".tmp", ".jixiao-tmp", ".jixiao-lock"))]
    assert leftovers == []


def test_files_are_world_readable(builds):
    modes = builds["modes"]
    files = {name: mode for name, mode in modes.items() if (builds["out"] / name).is_file()}
    assert files and set(files.values()) == {0o644}, files


def test_an_unchanged_build_skips_everything(builds):
    result = builds["second"]
    assert result.returncode == 0, result.stderr
    assert summary(result) == (0, 4, 4)
    for key, (data, mtime) in builds["after_second"].items():
        assert mtime == OLD * 10**9, key  # not rewritten
        assert data == builds["after_first"][key][0]


def test_an_edited_declaration_is_rebuilt_alone(builds):
    result = builds["third"]
    assert result.returncode == 0, result.stderr
    assert summary(result) == (1, 3, 4)
    after = builds["after_third"]
    for key, (data, mtime) in after.items():
        if key == "2025/dept-c":
            assert mtime != OLD * 10**9 and data != builds["after_first"][key][0]
            assert builds["new_name"] in squash(pdf_text(builds["pdfs"][key]))
            reader = PdfReader(builds["pdfs"][key])
            assert reader.attachments["dept-c.yaml"] == [builds["paths"][key].read_bytes()]
        else:
            assert mtime == OLD * 10**9, key


def test_force_rebuilds_everything_to_the_same_bytes(builds):
    result = builds["forced"]
    assert result.returncode == 0, result.stderr
    assert summary(result) == (4, 0, 4)
    for key, (data, mtime) in builds["after_forced"].items():
        assert mtime != OLD * 10**9, key
        assert data == builds["after_third"][key][0], key  # rebuilt in another process: identical


def test_two_processes_into_two_folders_write_identical_files(builds, tmp_path):
    source = builds["paths"]["2024/dept-a"]
    result = jixiao("build", "pdf", "--out", str(tmp_path / "again"), str(source))
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again" / "pdf" / "2024" / "dept-a.pdf"
    assert again.read_bytes() == builds["after_first"]["2024/dept-a"][0]


# ---- refusals: nothing is written ----------------------------------------------------------------


def test_a_declaration_with_errors_is_refused_and_nothing_is_written(tmp_path):
    folder = tmp_path / "declarations"
    paths = declarations(folder)
    broken = paths["2025/dept-d"]
    own = SYNTHETIC["2025/dept-d"].amounts["本级使用资金"]
    wrong = f"{own + 1:.2f}"
    text = broken.read_text(encoding="utf-8").replace(f"amount: {own:.2f}", f"amount: {wrong}")
    broken.write_text(text, encoding="utf-8")
    out = tmp_path / "output"
    result = jixiao("build", "pdf", "--out", str(out), str(folder))
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if "错误 J201" in l]
    assert len(errors) == 1 and errors[0].startswith(f"{broken}:"), result.stderr
    assert "budget.by_level" in errors[0] and wrong.replace(".", "") not in errors[0]
    assert "有错误，没有生成任何文件。" in result.stderr
    assert "PDF：" not in result.stdout
    assert not out.exists() or files_under(out) == []


def test_a_character_no_font_has_is_refused_by_name_field_and_line(tmp_path):
    folder = tmp_path / "declarations"
    paths = declarations(folder)
    target = paths["2025/dept-c"]
    text = target.read_text(encoding="utf-8")
    name = SYNTHETIC["2025/dept-c"].tasks[2].name
    text = text.replace(name, name + "𓀀")
    target.write_text(text, encoding="utf-8")
    out = tmp_path / "output"
    result = jixiao("build", "pdf", "--out", str(out), str(folder))
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if "J501" in l]
    assert len(lines) == 1, result.stderr
    expected = f"{target}:{line_of(text, name + '𓀀')}:"
    assert lines[0].startswith(expected), lines[0]
    assert "错误 J501: tasks[3].name" in lines[0] and "「𓀀」（U+13000）" in lines[0]
    assert not out.exists() or files_under(out) == []  # not the other three either, not a temp file


def test_a_face_that_is_not_installed_is_refused_by_name(tmp_path):
    out = tmp_path / "output"
    result = jixiao("build", "pdf", "--body-font", "Jixiao No Such Serif", "--out", str(out), str(SEED_YAML))
    assert result.returncode == 1
    assert "Jixiao No Such Serif" in result.stderr and result.stderr.startswith("jixiao: ")
    assert not out.exists() or files_under(out) == []


# ---- a department's own font ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def font_folder(tmp_path_factory) -> Path:
    """Noto Serif CJK SC cut down to what the seed's PDF prints, renamed JixiaoTestSerif."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from generator.input.load import load_file
    from generator.render.templates import render_form

    found = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", "Noto Serif CJK SC"], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    font = TTFont(found[0], fontNumber=int(found[1] or 0))
    seed = load_file(SEED_YAML)
    html = render_form(seed.form, seed.declaration, "print.html", date="2024-01-01T00:00:00Z")
    characters = set(SEED_YAML.read_text(encoding="utf-8")) | set(html) | set("第页共 0123456789")
    characters |= {chr(c) for c in range(0x20, 0x7F)}
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "JixiaoTestSerif"
        elif record.nameID == 6:
            record.string = "JixiaoTestSerif-Regular"
    folder = tmp_path_factory.mktemp("fonts")
    font.save(folder / "JixiaoTestSerif.otf")
    return folder


def test_a_font_folder_setting_is_used(font_folder, tmp_path):
    out = tmp_path / "output"
    result = jixiao(
        "build", "pdf", "--font-dir", str(font_folder), "--body-font", "JixiaoTestSerif", "--out", str(out),
        str(SEED_YAML),
    )
    assert result.returncode == 0, result.stderr
    pdf = out / "pdf" / "2024" / "nansha-dongchong.pdf"
    fonts = pdffonts(pdf)
    faces = {font.name.split("+", 1)[1] for font in fonts}
    assert "JixiaoTestSerif" in faces, faces
    assert "Noto-Serif-CJK-SC" not in faces  # the folder's face set everything the body face sets
    assert all(font.embedded and font.subset for font in fonts)
    text = squash(pdf_text(pdf))
    assert "广州市南沙区东涌镇人民政府" in text and "9,830.96" in text


def test_on_a_terminal_build_pdf_shows_a_progress_bar_and_the_summary(tmp_path):
    import pty

    declarations = tmp_path / "declarations" / "2024"
    declarations.mkdir(parents=True)
    shutil.copy(SEED_YAML, declarations / SEED_YAML.name)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(JIXIAO), "build", "pdf", "--out", str(tmp_path / "out"), str(tmp_path / "declarations")],
        cwd=tmp_path, stdin=terminal, stdout=terminal, stderr=terminal,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    text = output.decode("utf-8", errors="replace")
    assert process.wait(timeout=120) == 0, text
    assert "Traceback" not in text
    assert "生成 PDF" in text and "100%" in text  # the bar, drawn because stderr is a terminal
    assert "PDF：生成 1 个，未改动跳过 0 个，共 1 个申报" in text
    assert (tmp_path / "out" / "pdf" / "2024" / "nansha-dongchong.pdf").is_file()
