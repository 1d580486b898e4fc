"""Samples, once a second while the load test runs, where the CPU goes and what the database holds.

    python benchmarks/load/sampler.py OUT.json DATABASE PGID [PGID ...]

CPU (in cores: 1.0 is one core busy) of the gunicorn instances (their process groups), of the
PostgreSQL backends serving DATABASE, of Locust itself, and of the whole machine, which other
work may share. From pg_stat_activity: DATABASE's connections, those running a query, and those
waiting for a lock (on a busy group, the ledger's group lock). Stops on SIGTERM and writes the
averages and peaks to OUT.json.
"""

import json
import os
import signal
import sys
import time
from pathlib import Path

import psycopg

TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """pid -> (process group, CPU seconds so far, command line) of every readable process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        found[int(entry.name)] = (int(fields[2]), cpu, command)
    return found


def machine_busy():
    """Busy and total CPU seconds of the machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def main(out, database, pgids):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    connection = psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True
    )
    query = """
        SELECT pid, state, wait_event_type FROM pg_stat_activity
        WHERE datname = %s AND pid <> pg_backend_pid()
    """
    samples = []
    before, busy_before, at = processes(), machine_busy(), time.monotonic()
    while not stop:
        time.sleep(1)
        rows = connection.execute(query, [database]).fetchall()
        now, busy_now, then = processes(), machine_busy(), time.monotonic()
        elapsed = then - at
        backends = {row[0] for row in rows}

        used = {pid: now[pid][1] - before.get(pid, now[pid])[1] for pid in now}
        samples.append(
            {
                "gunicorn": sum(used[p] for p in now if now[p][0] in pgids) / elapsed,
                "postgres": sum(used[p] for p in now if p in backends) / elapsed,
                "locust": sum(used[p] for p in now if "locust" in now[p][2]) / elapsed,
                "machine": (busy_now[0] - busy_before[0]) / elapsed,
                "connections": len(rows),
                "active": sum(row[1] == "active" for row in rows),
                "waiting_on_lock": sum(row[2] == "Lock" for row in rows),
            }
        )
        before, busy_before, at = now, busy_now, then
    # The first seconds are the ramp-up: the averages are over the rest.
    steady = samples[len(samples) // 6 :] or samples
    summary = (
        {
            key: {
                "mean": round(sum(s[key] for s in steady) / len(steady), 2),
                "max": round(max(s[key] for s in steady), 2),
            }
            for key in samples[0]
        }
        if samples
        else {}
    )
    summary["load_average"] = os.getloadavg()[0]
    Path(out).write_text(json.dumps({"summary": summary, "samples": samples}, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], {int(pgid) for pgid in sys.argv[3:]})
