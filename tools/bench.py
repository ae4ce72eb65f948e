"""make bench: how long the seed and a batch take to become PDFs, how much memory, how large. Writes output/bench.json."""

from __future__ import annotations

import json
import os
import resource
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


def run(args: list[str], cwd: Path, one_core: bool = False) -> float:
    if one_core and shutil.which("taskset"):
        args = ["taskset", "-c", "0", *args]
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def make_batch(folder: Path, count: int) -> None:
    """`count` declarations made from the seed: other departments and years, so nothing is cached."""
    text = SEED.read_text(encoding="utf-8")
    for index in range(count):
        year = 2024 + index % 2
        ident = f"bench-dept-{index:03d}"
        body = text.replace("id: nansha-dongchong", f"id: {ident}").replace("year: 2024", f"year: {year}")
        body = body.replace("广州市南沙区东涌镇人民政府", f"测试第{index + 1}号镇人民政府")
        target = folder / str(year) / f"{ident}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")


def warm_seed(repeats: int = 5) -> float:
    sys.path.insert(0, str(ROOT))
    from generator.load import load_file
    from generator.pdf import PdfRenderer

    renderer = PdfRenderer()
    loaded = load_file(SEED)
    renderer.render(loaded)  # first call loads fonts and stylesheets
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        renderer.render(loaded)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    env_root = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        seed_dir = env_root / "seed"
        (seed_dir / "2024").mkdir(parents=True)
        shutil.copy(SEED, seed_dir / "2024" / SEED.name)
        cold = min(
            run([*JIXIAO, "build", "pdf", "--force", "--out", str(env_root / "out-seed"), str(seed_dir)], ROOT)
            for _ in range(3)
        )
        seed_pdf = env_root / "out-seed" / "pdf" / "2024" / "nansha-dongchong.pdf"
        batch_dir = env_root / "batch"
        make_batch(batch_dir, BATCH_N)
        batch_args = [*JIXIAO, "build", "pdf", "--force", "--out", str(env_root / "out-batch"), str(batch_dir)]
        both = run(batch_args, ROOT)
        one = run(batch_args, ROOT, one_core=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        figures = {
            "seed_cold_s": round(cold, 3),
            "seed_warm_s": round(warm_seed(), 3),
            "batch_n": BATCH_N,
            "batch_s_per_doc": round(both / BATCH_N, 3),
            "batch_s_per_doc_one_core": round(one / BATCH_N, 3),
            "peak_rss_mb": round(peak, 1),
            "seed_pdf_bytes": seed_pdf.stat().st_size,
            "cpus": os.cpu_count(),
        }
    finally:
        shutil.rmtree(env_root, ignore_errors=True)
    out = ROOT / "output" / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for key, value in figures.items():
        print(f"{key:26} {value}")
    print(f"→ {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
