"""The benchmarks whose figures the README and the issues quote still run: each at its smallest size, on a temporary
SQLite file, checking only that it finishes and prints its figures (how fast is for the benchmark to say, never a
test). The outbox benchmark once stopped at its setup when applications lost their typed e-mail address, unnoticed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("script, arguments, figures", [
    ("bench_outbox.py", ["--applications", "2", "--messages", "3"],
     ["sending directly:", "Worker throughput: 3 messages"]),
    ("bench_certificates.py", ["--repeat", "1", "--certificates", "2"], ["PDF with a CJK name:"]),
    ("profile_page.py", ["lesson", "--requests", "20", "--limit", "5"], ["ms CPU per request", "cumulative"]),
    ("bench_large_import.py", ["--megabytes", "2"],
     ["peak memory growth importing a 2 MB video:", "peak memory growth exporting a 2 MB video:"]),
])
def test_the_benchmark_runs_and_prints_its_figures(script, arguments, figures):
    # Never the bench database of a developer's shell: a benchmark drops and recreates its tables.
    env = {key: value for key, value in os.environ.items() if key != "LMS_BENCH_DATABASE_URL"}
    run = subprocess.run([sys.executable, str(ROOT / "bench" / script), *arguments], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    for figure in figures:
        assert figure in run.stdout, run.stdout
