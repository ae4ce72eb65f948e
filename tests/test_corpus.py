"""The generated bureau corpus (tools/corpus.py): valid when nothing is planted, exactly the planted
problems when planted, the same bytes for the same arguments, and shaped like a bureau's tree."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

from site_fixtures import jixiao

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import corpus  # noqa: E402


def validate(declarations: Path) -> dict:
    result = jixiao("validate", "--format", "json", str(declarations))
    assert "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def reported(report: dict, root: Path) -> list[tuple[str, str]]:
    return sorted((Path(p["file"]).relative_to(root).as_posix(), p["code"]) for p in report["problems"])


def test_unplanted_corpus_is_valid(small_corpus):
    report = validate(small_corpus.declarations)
    assert (report["errors"], report["warnings"]) == (0, 0), report["problems"][:5]
    assert report["files"] == small_corpus.manifest["files"]
    assert small_corpus.manifest["planted"] == {} and small_corpus.manifest["expected"] == []


def test_planted_corpus_reports_exactly_what_was_planted(small_corpus_planted):
    c = small_corpus_planted
    planted = c.planted
    assert reported(validate(c.declarations), c.root) == sorted(c.expected)
    # What the issues' bureau has: 3 error files (one a department form, cascading J412 on its
    # projects), 3 departments over budget, income warnings, 5 poor and some fair self-evaluations.
    assert sorted(e["code"] for e in planted["error_files"]) == ["J010", "J011", "J221"]
    department_error = next(e["file"] for e in planted["error_files"] if e["code"] == "J011")
    cascade = [f for f, code in c.expected if code == "J412"]
    assert cascade and all(f.startswith(department_error.removesuffix(".yaml") + "/projects/") for f in cascade)
    assert len({o["department"] for o in planted["over_budget"]}) == 3
    assert all(float(o["projects"]) > float(o["spending"]) for o in planted["over_budget"])
    assert len(planted["income_warnings"]) == 4
    assert len(planted["poor_evaluations"]) == 5 and planted["fair_evaluations"]
    # The two missing departments are on the roster and file nothing.
    roster = yaml.safe_load(c.roster.read_text(encoding="utf-8"))
    ids = [d["id"] for d in roster["departments"]]
    assert len(planted["missing_departments"]) == 2 and set(planted["missing_departments"]) <= set(ids)
    for missing in planted["missing_departments"]:
        assert not list(c.declarations.glob(f"*/{missing}*")), missing


def test_grades_are_jixiaos_own(small_corpus_planted):
    """The grades the manifest records are those `jixiao score` computes from the files."""
    c = small_corpus_planted
    evaluations = {e["file"]: e for e in c.manifest["self_evaluations"]}
    for file in c.planted["poor_evaluations"] + c.planted["fair_evaluations"][:2]:
        result = jixiao("score", str(c.path(file)))
        assert result.returncode == 0, result.stdout + result.stderr
        entry = evaluations[file]
        assert entry["grade"] in result.stdout and entry["total"] in result.stdout.replace(",", ""), result.stdout
    grades = Counter(e["grade"] for e in evaluations.values() if e["form"] == "project-self-evaluation")
    assert grades["差"] == 5 and grades["中"] >= 1 and grades["优"] > grades["良"] > 0


def test_same_arguments_same_bytes(tmp_path):
    a = corpus.build_corpus(tmp_path / "a", 7, (2023, 2024, 2025), plant=True, seed=3)
    b = corpus.build_corpus(tmp_path / "b", 7, (2023, 2024, 2025), plant=True, seed=3)
    assert a == b
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == a["files"] + 2  # + roster + manifest
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    # Another seed is another corpus.
    c = corpus.generate(7, (2023, 2024, 2025), plant=True, seed=4)
    assert c.files != corpus.generate(7, (2023, 2024, 2025), plant=True, seed=3).files


def test_bureau_corpus_is_shaped_like_a_bureau(bureau_corpus):
    c = bureau_corpus
    report = validate(c.declarations)
    assert (report["errors"], report["warnings"]) == (0, 0), report["problems"][:5]
    departments = c.manifest["departments"]
    assert len(departments) >= 40
    names = [d["name"] for d in departments]
    assert len(set(names)) == len(names) and len({d["id"] for d in departments}) == len(departments)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,20}", d["id"]) for d in departments)
    for kind in ("局", "镇人民政府", "街道办事处", "中心"):
        assert sum(name.endswith(kind) for name in names) >= 5, kind
    years = c.manifest["years"]
    counts = [len(d["projects"][str(y)]) for d in departments for y in years]
    assert min(counts) >= 3 and max(counts) <= 20 and len(set(counts)) >= 8
    # Most projects of the latest year ran the year before under the same id and 项目编码.
    latest, before = years[-1], years[-2]
    recurring = total = 0
    for d in departments:
        for pid in d["projects"][str(latest)]:
            total += 1
            if pid in d["projects"][str(before)]:
                recurring += 1
                old = yaml.safe_load(c.path(f"declarations/{before}/{d['id']}/projects/{pid}.yaml").read_text(encoding="utf-8"))
                new = yaml.safe_load(c.path(f"declarations/{latest}/{d['id']}/projects/{pid}.yaml").read_text(encoding="utf-8"))
                assert old["project"]["code"] == new["project"]["code"] and old["project"]["name"] == new["project"]["name"]
                assert new["project"]["attribute"] == "延续"
    assert recurring / total > 0.7
    # Self-evaluations only for the closed years, one per department and per project.
    evaluations = c.manifest["self_evaluations"]
    assert {e["year"] for e in evaluations} == set(c.manifest["closed_years"])
    assert sum(e["form"] == "department-self-evaluation" for e in evaluations) == len(departments)
    totals = sorted(float(e["total"]) for e in evaluations)
    assert totals[0] < 60 and totals[-1] > 90
    # Amounts vary over two orders of magnitude.
    amounts = []
    for path in c.declarations.glob(f"{latest}/*/projects/*.yaml"):
        match = re.search(r"annual: ([0-9.]+)\}", path.read_text(encoding="utf-8"))
        amounts.append(float(match[1]))
    assert max(amounts) / min(amounts) > 50


def test_command_line_writes_the_same_tree(tmp_path):
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "tools" / "corpus.py"), str(tmp_path / "cli"), "--departments", "6",
                    "--years", "2024", "2025", "--plant"], check=True, capture_output=True)
    corpus.build_corpus(tmp_path / "api", 6, (2024, 2025), plant=True)
    for path in (tmp_path / "api").rglob("*.yaml"):
        assert (tmp_path / "cli" / path.relative_to(tmp_path / "api")).read_bytes() == path.read_bytes()
    assert (tmp_path / "cli" / corpus.MANIFEST).read_bytes() == (tmp_path / "api" / corpus.MANIFEST).read_bytes()
