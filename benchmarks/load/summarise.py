"""The load test's figures as Markdown tables: Locust's CSV statistics and the sampler's JSON.

python benchmarks/load/summarise.py RUN_DIR "title"
"""

import csv
import json
import sys
from pathlib import Path


def main(run, title):
    rows = list(csv.DictReader((run / "locust_stats.csv").open(encoding="utf-8")))
    lines = [
        f"### {title}",
        "",
        "| Request | Count | Failures | Req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = "**All**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    failures = run / "locust_failures.csv"
    for row in csv.DictReader(failures.open(encoding="utf-8")) if failures.exists() else []:
        where = f"{row['Method']} {row['Name']}"
        lines.append(f"\nRefused or failed: {where}: {row['Error']} × {row['Occurrences']}")
    sampled = json.loads((run / "samples.json").read_text())["summary"]
    if sampled:
        lines += [
            "",
            "| Sampled each second (steady part) | Mean | Peak |",
            "| --- | ---: | ---: |",
        ]
        labels = {
            "gunicorn": "gunicorn CPU (cores)",
            "postgres": "PostgreSQL backends CPU (cores)",
            "locust": "Locust CPU (cores)",
            "machine": "Whole machine CPU (cores of 2)",
            "connections": "Database connections",
            "active": "Connections running a query",
            "waiting_on_lock": "Connections waiting on a lock",
        }
        for key, label in labels.items():
            lines.append(f"| {label} | {sampled[key]['mean']} | {sampled[key]['max']} |")
        lines.append(f"\nLoad average at the end: {sampled['load_average']:.1f}")
    text = "\n".join(lines) + "\n"
    (run / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
