"""Random damage to the seed never makes the loader raise: every outcome is a list of Problems a user can act on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.pipeline import load_all
from generator.input.load import load_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SEED_BYTES = SEED.read_bytes()
SEED_LINES = SEED_BYTES.split(b"\n")

# A line holding one mapping key (not a list item, comment or prose): duplicating it duplicates the key.
KEY_LINE = re.compile(rb"^ *[a-z_0-9]+:( |$)")
KEY_LINES = [i for i, line in enumerate(SEED_LINES) if KEY_LINE.match(line)]

FAST = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Values of other types (and some YAML punctuation) to put where a value was.
OTHER_VALUES = [
    "[1, 2]", "{a: b}", "{label: a, label: b}", "123", "-1.5", "1e3", "true", "no", "~", "", '"引号"', "'单引号'",
    "- x", "&a x", "*a", "!!binary 5pys", "!foo x", "!!python/object:os.system x", "|-\n  多行\n", ">", ">= 90%",
    "2024-01-31", "0x1F", "010", "9,830.96", "九千", "\t", "? x", "%", "@", "`", "{", "[", '"', "'", ": x", "#",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\x00", "\ufeff", "\u3000", "---", "...",
]

index = st.integers(min_value=0, max_value=10**6)  # taken modulo the current size
mutation = st.one_of(
    st.tuples(st.just("delete_line"), index),
    st.tuples(st.just("duplicate_line"), index),
    st.tuples(st.just("swap_lines"), index, index),
    st.tuples(st.just("replace_value"), index, st.sampled_from(OTHER_VALUES)),
    st.tuples(st.just("flip_byte"), index, st.integers(min_value=0, max_value=255)),
    st.tuples(st.just("cut_bytes"), index, st.integers(min_value=1, max_value=64)),
    st.tuples(st.just("truncate"), index),
    st.tuples(st.just("swap_chars"), index),
    st.tuples(st.just("cut_chars"), index, st.integers(min_value=1, max_value=16)),
    st.tuples(st.just("insert_text"), index, st.text(max_size=8)),
    st.tuples(st.just("truncate_text"), index),
)


def mutate(data: bytes, steps: list[tuple]) -> bytes:
    for kind, where, *extra in steps:
        lines = data.split(b"\n")
        i = where % max(len(lines), 1)
        p = where % max(len(data), 1)
        if kind == "delete_line":
            del lines[i]
        elif kind == "duplicate_line":
            lines.insert(i, lines[i])
        elif kind == "swap_lines":
            j = extra[0] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "replace_value":
            keyed = [n for n, line in enumerate(lines) if b": " in line or line.rstrip().endswith(b":")]
            if keyed:
                n = keyed[where % len(keyed)]
                key = re.split(rb":( |$)", lines[n], maxsplit=1)[0]
                lines[n] = key + b": " + extra[0].encode("utf-8")
        elif kind == "flip_byte":
            data = data[:p] + bytes([extra[0]]) + data[p + 1 :]
        elif kind == "cut_bytes":
            data = data[:p] + data[p + extra[0] :]
        elif kind == "truncate":
            data = data[:p]
        else:  # the same on characters, as an editor would do it
            text = data.decode("utf-8", "surrogateescape")
            q = where % max(len(text), 1)
            if kind == "swap_chars":
                text = text[:q] + text[q + 1 : q + 2] + text[q : q + 1] + text[q + 2 :]
            elif kind == "cut_chars":
                text = text[:q] + text[q + extra[0] :]
            elif kind == "insert_text":
                text = text[:q] + extra[0] + text[q:]
            elif kind == "truncate_text":
                text = text[:q]
            data = text.encode("utf-8", "surrogateescape")
        if kind in ("delete_line", "duplicate_line", "swap_lines", "replace_value"):
            data = b"\n".join(lines)
    return data


def assert_reportable(problems, lines_in_file: int) -> None:
    """What a user sees: each problem names a real place and says something, in Chinese."""
    for problem in problems:
        assert 1 <= problem.line <= lines_in_file + 1, problem
        assert problem.column >= 1, problem
        assert re.fullmatch(r"J\d{3}", problem.code), problem
        assert problem.message.strip(), problem
        assert re.search(r"[\u4e00-\u9fff]", problem.message), problem
        assert "Traceback" not in problem.format()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "2024"
    folder.mkdir()
    return folder


@FAST
@given(steps=st.lists(mutation, min_size=1, max_size=4))
def test_damaged_seed_gives_problems_never_exceptions(steps, workdir):
    data = mutate(SEED_BYTES, steps)
    path = workdir / "nansha-dongchong.yaml"
    path.write_bytes(data)
    lines_in_file = len(re.split(rb"\r\n|\r|\n", data))

    loaded, problems = load_all([path])
    assert_reportable(problems, lines_in_file)
    [declaration] = loaded
    errors = [p for p in declaration.problems if p.is_error]
    assert (declaration.declaration is None) == bool(errors), "a file that did not load says why, and only then"

    as_text = load_text(data.decode("utf-8", "surrogateescape"), "d.yaml")
    assert_reportable(as_text.problems, lines_in_file)
    if data.decode("utf-8", "replace").encode("utf-8") == data:
        # the same text read from a file or handed over as a string gives the same findings
        assert [(p.line, p.column, p.code, p.message) for p in as_text.problems] == [
            (p.line, p.column, p.code, p.message) for p in declaration.problems
        ]


@FAST
@given(text=st.text(max_size=80))
def test_any_short_text_gives_problems_never_exceptions(text):
    loaded = load_text(text, "d.yaml")
    assert_reportable(loaded.problems, len(re.split(r"\r\n|\r|\n", text)))
    assert (loaded.declaration is None) == any(p.is_error for p in loaded.problems)


def indent(line: bytes) -> int:
    return len(line) - len(line.lstrip(b" "))


def sibling_places(i: int) -> list[int]:
    """Where a copy of key line i still lands in the same mapping: before a later sibling key, or at its end."""
    places = [i + 1]
    for j in range(i + 1, len(SEED_LINES)):
        line = SEED_LINES[j]
        if not line.strip() or line.lstrip().startswith(b"#") or indent(line) > indent(SEED_LINES[i]):
            continue
        if indent(line) == indent(SEED_LINES[i]) and KEY_LINE.match(line):
            places.append(j)
            continue
        places.append(j)  # the mapping ends here
        return places
    return places + [len(SEED_LINES)]


@settings(FAST, max_examples=100)
@given(data=st.data())
def test_duplicated_key_line_is_always_refused(data):
    """A key line copied anywhere else in its mapping is refused, naming the key, at the copy."""
    line = data.draw(st.sampled_from(KEY_LINES), label="key line")
    place = data.draw(st.sampled_from(sibling_places(line)), label="copied before line")
    lines = list(SEED_LINES)
    lines.insert(place, lines[line])
    key = lines[line].strip().split(b":")[0].decode()
    loaded = load_text(b"\n".join(lines).decode("utf-8"), "d.yaml")
    assert loaded.declaration is None
    found = [(p.line, p.message) for p in loaded.problems if p.code == "J003"]
    assert found == [(place + 1, f"键「{key}」重复（第 {line + 1} 行已有），后一个会覆盖前一个，请只保留一个")]


@pytest.mark.parametrize("line", KEY_LINES, ids=[SEED_LINES[i].strip().decode() for i in KEY_LINES])
def test_every_key_line_of_the_seed_duplicated_is_refused_at_the_copy(line):
    lines = list(SEED_LINES)
    lines.insert(line + 1, lines[line])
    key = lines[line].strip().split(b":")[0].decode()
    loaded = load_text(b"\n".join(lines).decode("utf-8"), "d.yaml")
    assert loaded.declaration is None
    [duplicate] = [p for p in loaded.problems if p.code == "J003"]
    assert (duplicate.line, duplicate.column) == (line + 2, len(lines[line]) - len(lines[line].lstrip()) + 1)
    assert duplicate.message == f"键「{key}」重复（第 {line + 1} 行已有），后一个会覆盖前一个，请只保留一个"


def test_enough_key_lines_are_tried():
    assert len(KEY_LINES) > 50


# ---- mutated declarations of all four forms, checked across forms ---------------------------------

EXAMPLES = ROOT / "examples" / "2024"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*.yaml"))  # the four forms (the department's is a link to the seed)


def list_rows(lines: list[bytes]) -> list[tuple[int, int]]:
    """(first, end) of every YAML list item: its `- ` line and the lines indented under it."""
    rows = []
    for i, line in enumerate(lines):
        if not line.lstrip().startswith(b"- "):
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or indent(lines[j]) > indent(line)):
            j += 1
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        rows.append((i, j))
    return rows


def duplicate_row(data: bytes, where: int) -> bytes:
    lines = data.split(b"\n")
    first, end = list_rows(lines)[where % len(list_rows(lines))]
    return b"\n".join(lines[:end] + lines[first:end] + lines[end:])


def mutation_run(count: int, seed: int, root: Path) -> dict:
    """`count` mutated declarations, each a random example with one to three random edits or a list row
    copied beneath itself, loaded from a file and checked alone and beside the other examples.
    Returns the tally; tracebacks and duplicated rows that passed are listed, not raised."""
    import random
    import traceback

    from generator.input.load import load_file
    from generator.input.checks import run_checks, run_cross_checks

    tree = root / "2024"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(EXAMPLES, tree, symlinks=False)
    files = sorted(tree.rglob("*.yaml"))
    originals = {path: path.read_bytes() for path in files}
    clean = {path: load_file(path) for path in files}
    rng = random.Random(seed)
    tally = {"mutations": 0, "tracebacks": [], "duplicated_rows": 0, "duplicates_passed": [], "refused": 0}
    for n in range(count):
        path = rng.choice(files)
        original = originals[path]
        if rng.random() < 0.3:
            data, duplicated = duplicate_row(original, rng.randrange(10**6)), True
        else:
            steps = [
                _random_step(rng) for _ in range(rng.randint(1, 3))
            ]
            data, duplicated = mutate(original, steps), False
        path.write_bytes(data)
        try:
            loaded = load_file(path)
            problems = list(loaded.problems) + run_checks(loaded)
            others = [clean[other] for other in files if other != path]
            problems += [p for p in run_cross_checks(others + [loaded]) if p.file == loaded.display]
            assert_reportable(problems, len(re.split(rb"\r\n|\r|\n", data)))
        except Exception:
            tally["tracebacks"].append((path.name, n, traceback.format_exc()))
            continue
        finally:
            path.write_bytes(original)
        tally["mutations"] += 1
        errors = [p for p in problems if p.is_error]
        tally["refused"] += bool(errors)
        if duplicated:
            tally["duplicated_rows"] += 1
            if not errors:
                tally["duplicates_passed"].append((path.name, data.decode("utf-8", "replace")))
    return tally


def _random_step(rng) -> tuple:
    kind = rng.choice(
        ["delete_line", "duplicate_line", "swap_lines", "replace_value", "flip_byte", "cut_bytes", "truncate",
         "swap_chars", "cut_chars", "insert_text", "truncate_text"]
    )
    where = rng.randrange(10**6)
    if kind == "swap_lines":
        return (kind, where, rng.randrange(10**6))
    if kind == "replace_value":
        return (kind, where, rng.choice(OTHER_VALUES))
    if kind == "flip_byte":
        return (kind, where, rng.randrange(256))
    if kind == "cut_bytes":
        return (kind, where, rng.randint(1, 64))
    if kind == "cut_chars":
        return (kind, where, rng.randint(1, 16))
    if kind == "insert_text":
        return (kind, where, "".join(rng.choice("：:-#{}[]\"' \t\n0123456789万元%，、") for _ in range(rng.randint(1, 8))))
    return (kind, where)


def test_every_list_row_of_every_example_copied_is_refused(tmp_path):
    """Each row of every list in the four forms' examples, copied beneath itself: an error each time."""
    tree = tmp_path / "2024"
    shutil.copytree(EXAMPLES, tree, symlinks=False)
    from generator.input.load import load_file
    from generator.input.checks import run_checks

    passed, tried = [], 0
    for path in sorted(tree.rglob("*.yaml")):
        original = path.read_bytes()
        for where in range(len(list_rows(original.split(b"\n")))):
            path.write_bytes(duplicate_row(original, where))
            loaded = load_file(path)
            tried += 1
            if not any(p.is_error for p in loaded.problems + run_checks(loaded)):
                passed.append((path.name, where))
        path.write_bytes(original)
    assert tried > 100 and passed == []


def test_three_hundred_mutated_declarations_of_the_four_forms(tmp_path):
    tally = mutation_run(300, seed=18, root=tmp_path)
    assert [t[2] for t in tally["tracebacks"]] == []
    assert tally["mutations"] == 300 and tally["duplicated_rows"] > 50
    assert tally["duplicates_passed"] == []
