"""Operating-system errors said in Chinese, naming the path: a disk that fills half-way through `build pdf`
(a small tmpfs, mounted in a user namespace), a read-only file system, permission denied, a name too
long, a FIFO or device where a YAML file was expected. The build that failed half-way kept what it had
finished: the next run, with room again, writes only the rest and equals a clean build."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from site_fixtures import JIXIAO, jixiao

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"


def in_namespace(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """A shell script run as root of a new user and mount namespace: it may mount a tmpfs of its own."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-e", "-c", script],
        cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_disk_that_fills_half_way_is_said_and_the_next_run_does_the_rest(tmp_path):
    clean = tmp_path / "clean"
    assert jixiao("build", "pdf", "--out", str(clean), str(EXAMPLES)).returncode == 0
    disk, copy = tmp_path / "disk", tmp_path / "copy"
    disk.mkdir()
    j, examples = shlex.quote(str(JIXIAO)), shlex.quote(str(EXAMPLES))
    script = f"""
        mount -t tmpfs -o size=160k tmpfs disk
        if {j} build pdf --jobs 1 --out disk {examples} >/dev/null 2>full.txt; then echo built >>full.txt; fi
        cp -a disk after-full
        mount -o remount,size=4m disk
        {j} build pdf --out disk {examples} >again.txt 2>&1
        cp -a disk copy
    """
    done = in_namespace(script, tmp_path)
    assert done.returncode == 0, done.stderr
    full = (tmp_path / "full.txt").read_text(encoding="utf-8")
    assert "Traceback" not in full
    [line] = [line for line in full.splitlines() if line.startswith("jixiao:")]
    assert line.startswith("jixiao: disk/pdf/2024/") and line.endswith(
        ".pdf: 磁盘已满，写不下；请腾出空间后再运行（没写完的文件下次会重新生成）"
    ), full
    half = tree(tmp_path / "after-full")
    assert not [name for name in half if "jixiao-" in name]  # no temporary file, no lock left
    finished = [name for name in half if name.endswith(".pdf")]
    assert 1 <= len(finished) < 6 and all(half[name] == tree(clean)[name] for name in finished)
    again = (tmp_path / "again.txt").read_text(encoding="utf-8")
    assert f"PDF：生成 {6 - len(finished)} 个，未改动跳过 {len(finished)} 个，共 6 个申报" in again, again
    made, wanted = tree(copy), tree(clean)
    assert made.pop("pdf/.state.json") and wanted.pop("pdf/.state.json")
    assert made == wanted


def test_a_read_only_file_system_is_said_with_the_folder(tmp_path):
    (tmp_path / "ro").mkdir()
    j, examples = shlex.quote(str(JIXIAO)), shlex.quote(str(EXAMPLES))
    script = f"mount -t tmpfs -o ro tmpfs ro; if {j} build xlsx --out ro/out {examples}; then exit 9; fi"
    done = in_namespace(script, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == "jixiao: ro/out: 所在的文件系统是只读的，无法写入；请换一个可写的文件夹（如 --out）"
    assert list((tmp_path / "ro").iterdir()) == []  # (the namespace's mount is gone: the folder below is empty)


def as_other_user(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """jixiao run by a user that is not the files' owner (root bypasses permissions: it runs as nobody)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(JIXIAO), *args]
    else:
        command = [str(JIXIAO), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)


def test_permission_denied_names_the_file_or_folder(tmp_path):
    tmp_path.chmod(0o755)
    for parent in tmp_path.parents:  # nobody must reach the folder (pytest's base folder is private)
        if parent == Path("/tmp") or parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o011)
    unreadable = tmp_path / "nansha-dongchong.yaml"
    unreadable.write_bytes(SEED.read_bytes())
    unreadable.chmod(0o200)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    done = as_other_user("validate", unreadable.name, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "nansha-dongchong.yaml:1:1: 错误 J000: （文件）: 无法读取文件：没有权限（读取、写入或进入被拒绝）；请检查这个文件或文件夹的权限"
    )
    done = as_other_user("build", "xlsx", "--out", "locked/out", str(EXAMPLES), cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (
        1, "jixiao: locked/out: 没有权限（读取、写入或进入被拒绝）；请检查这个文件或文件夹的权限"
    )


def test_a_name_too_long_and_special_files(tmp_path):
    long = "长" * 100  # 300 bytes: over the 255 a name may have
    done = jixiao("build", "xlsx", "--out", long, str(EXAMPLES), cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (1, f"jixiao: {long}: 路径或文件名过长；请用短一些的文件夹或文件名")
    os.mkfifo(tmp_path / "x.yaml")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "folder" / "y.yaml")
    done = jixiao("validate", "x.yaml", "folder", "/dev/null", cwd=tmp_path, timeout=30)
    assert done.returncode == 1
    assert done.stdout.splitlines()[:3] == [
        "/dev/null:1:1: 错误 J000: （文件）: 不是普通文件，而是字符设备；申报文件应是普通的 YAML 文件",
        "folder/y.yaml:1:1: 错误 J000: （文件）: 不是普通文件，而是命名管道（FIFO）；申报文件应是普通的 YAML 文件",
        "x.yaml:1:1: 错误 J000: （文件）: 不是普通文件，而是命名管道（FIFO）；申报文件应是普通的 YAML 文件",
    ]


def test_a_failing_step_outside_jixiao_is_said_in_words_and_the_site_is_not_written(tmp_path, monkeypatch, capsys):
    """Pagefind failing, or the process making PDFs ended by the system (out of memory): one line,
    exit 1, no traceback, no site."""
    import sys

    import pytest

    import generator.site.build
    from generator.cli import main
    from generator.core.problems import StageFailed

    def failing(site):
        raise StageFailed("Pagefind 建索引失败：磁盘上的索引无法写入")

    monkeypatch.setattr(generator.site.build, "index_search", failing)
    out, cache = tmp_path / "site", tmp_path / "cache"
    monkeypatch.setattr(sys, "argv", ["jixiao", "build", "site", "--out", str(out), "--pdf-cache", str(cache), str(EXAMPLES)])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 1
    err = capsys.readouterr().err
    assert err == "jixiao: Pagefind 建索引失败：磁盘上的索引无法写入\n"
    assert not out.exists()


def test_a_process_the_system_ends_is_a_stage_failure_naming_its_exit_code():
    import pytest

    from generator.core.problems import StageFailed
    from generator.pipeline import Forked

    with pytest.raises(StageFailed, match="退出码 9"):
        Forked(os._exit, 9).result()
