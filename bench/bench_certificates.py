"""Certificate PDF generation and the public verification page: median milliseconds per certificate.

Targets: under 50 ms per PDF with a Latin name (issue 5), under 150 ms with a CJK name (issue 12). Baselines measured
in the same run: a one-line PDF from the same library (fpdf2, built-in Helvetica, no font to parse) and, for the page,
the bare search page of the same app (no database query). Each PDF is generated from scratch (only the fonts'
character maps stay loaded between two PDFs); names of each script are timed separately, since other scripts make
the PDF embed more fonts (Hangul and Han: a small font of the name's glyphs; Arabic: shaped by HarfBuzz).
The verification page is requested through Flask's test client (no network), on a database holding `--certificates`
certificates.

Run: `.venv/bin/python bench/bench_certificates.py [--repeat 50] [--certificates 200]` (a temporary SQLite file, or
LMS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test; its tables are dropped and recreated).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app  # noqa: E402

TARGETS_MS = {"Latin": 50.0, "CJK": 150.0}
NAMES = {
    "Latin": ["María José Núñez", "Nguyễn Thị Minh Khai", "Łukasz Żółć-Brzęczyszczykiewicz", "Ærøskøbing Ågård"],
    "Hangul": ["김민수", "박지영", "이서연", "최윤서"],
    "CJK": ["王秀英", "陳美齡", "山田太郎", "やまだ ハナコ"],
    "Arabic": ["محمد العلي", "فاطمة الزهراء", "عمر بن خالد", "ليلى حسن"],
}


def median_ms(function, repeat: int) -> float:
    function()  # warm up: imports, the first font read, template compilation
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def trivial_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Hello, world!")
    return bytes(pdf.output())


def prepare(app, count: int) -> dict[str, list]:
    """Import the Caring Cities course and issue ``count`` certificates by hand, by script."""
    from lms.models import Role
    from lms.services import accounts, certificates, publishing

    publishing.import_package(None, ROOT / "courses" / "caring-cities", publish=True)
    admin = accounts.create_user("bench.admin@example.org", "bench password 123", accounts.Profile("Bench Admin"),
                                 Role.ADMIN)
    issued: dict[str, list] = {script: [] for script in NAMES}
    scripts = list(NAMES)
    for number in range(count):
        script = scripts[number % len(scripts)]
        names = NAMES[script]
        learner = accounts.create_user(f"bench.learner{number}@example.org", "bench password 123",
                                       accounts.Profile(names[number // len(scripts) % len(names)]))
        issued[script].append(certificates.issue_by_admin(admin, learner.id, "caring-cities", "benchmark"))
    return issued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--certificates", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, bench_app(Path(tmp), os.environ.get("LMS_BENCH_DATABASE_URL")) as app:
        from lms.services import certificates

        issued = prepare(app, max(args.certificates, len(NAMES)))
        cycle = dict.fromkeys(issued, 0)

        def one_pdf(script: str) -> bytes:
            cycle[script] += 1
            pool = issued[script]
            return certificates.pdf_bytes(pool[cycle[script] % len(pool)])

        results = {"one-line PDF, same library (baseline)": median_ms(trivial_pdf, args.repeat)}
        for script in issued:
            one_pdf(script)  # the first PDF of a script reads its fonts' character maps
            results[f"certificate PDF, {script} name"] = median_ms(lambda script=script: one_pdf(script),
                                                                   args.repeat)
        client = app.test_client()
        ids = [certificate.public_id for pool in issued.values() for certificate in pool]
        turn = iter(range(10**9))

        def verify_page() -> None:
            response = client.get(f"/verify/{ids[next(turn) % len(ids)]}")
            assert response.status_code == 200, response.status_code

        def search_page() -> None:
            assert client.get("/verify/").status_code == 200

        results["empty search page, same app (baseline)"] = median_ms(search_page, args.repeat)
        results["verification page /verify/<id>"] = median_ms(verify_page, args.repeat)
        database = app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1].split("///")[-1]

    print(f"database: {database}; {len(ids)} certificates; median of {args.repeat} runs each")
    print(f"{'what':<42} {'median ms':>10}")
    for name, value in results.items():
        print(f"{name:<42} {value:>10.1f}")
    for script, target in TARGETS_MS.items():
        value = results[f"certificate PDF, {script} name"]
        verdict = "OK" if value < target else "MISSED"
        print(f"PDF with a {script} name: {value:.1f} ms (target < {target:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
