"""CPU time of the processes that serve a request, and how busy the machine was meanwhile, read from /proc.

On a machine shared with other work, wall-clock throughput says as much about the neighbours as about the app; the
CPU time the server's own processes (and its PostgreSQL backends) spent, divided by the requests they answered, does
not. Read straight from /proc (Linux, where the benchmarks run) rather than through psutil: three small files are all
it takes, and the benchmarks stay free of a dependency the app does not need.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process ended (a recycled worker, a closed backend)
        return None
    return text[text.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process (0 once it has gone)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND if fields else 0.0


def process_tree(root: int) -> list[int]:
    """The process and its descendants (a gunicorn master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, []))
    return found


def tree_cpu_seconds(root: int) -> float:
    return sum(process_cpu_seconds(pid) for pid in process_tree(root))


class PostgresBackends:
    """CPU time of the PostgreSQL backends serving one database, when the server runs on this machine.

    Backends are found through pg_stat_activity (by database name, so other databases on the same server do not
    count) and read in /proc; ``available`` is False when their /proc entries cannot be read (a server elsewhere)."""

    def __init__(self, database_url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        self.database = url.database
        self._connection = psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
        self.available = all(Path(f"/proc/{pid}").exists() for pid in self._pids())

    def _pids(self) -> list[int]:
        rows = self._connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.database,))
        return [pid for (pid,) in rows]

    def cpu_seconds(self) -> dict[int, float]:
        return {pid: process_cpu_seconds(pid) for pid in self._pids()}

    def close(self) -> None:
        self._connection.close()


def spent_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent by backends between two readings (a backend born in between counts from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


@dataclass(frozen=True)
class MachineReading:
    busy: int  # jiffies of every CPU not idle or waiting
    total: int

    @classmethod
    def now(cls) -> MachineReading:
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle, iowait
        return cls(busy=sum(values[:8]) - idle, total=sum(values[:8]))


def machine_busy_share(before: MachineReading, after: MachineReading) -> float:
    """The share of the machine's CPU capacity in use between two readings (0..1), whoever used it."""
    return (after.busy - before.busy) / max(after.total - before.total, 1)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
