"""A PostgreSQL 15 primary and its streaming replica on loopback, for the read-replica tests;
or a primary alone (`make_primary`), a server the restart tests may restart.

Made with the server's own tools (`initdb`, `pg_basebackup -R`, `pg_ctl`) in a temporary
directory on two spare ports, tuned to start fast and to be thrown away (small buffers, no
fsync, no WAL archiving); stopped and removed by `stop()`. Each pytest-xdist worker makes its
own pair (its own directory and ports). PostgreSQL refuses to run as root: as root, its
commands run as the `postgres` user.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "orderdesk"

_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
shared_buffers = 16MB
max_connections = 40
fsync = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
archive_mode = off
hot_standby = on
wal_receiver_status_interval = 1s
log_min_messages = warning
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str | Path) -> None:
    command = [str(a) for a in args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class ReplicaPair:
    root: Path
    primary_port: int = field(default_factory=_free_port)
    replica_port: int = field(default_factory=_free_port)

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, database: str = DATABASE, driver: str = "+psycopg") -> str:
        return f"postgresql{driver}://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def admin(self, port: int, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(self.url(port, database, ""), autocommit=True, connect_timeout=5)

    def _configure(self, data: Path, port: int) -> None:
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(_SETTINGS.format(port=port, sockets=self.root))

    def start(self, *, replica: bool = True) -> None:
        """initdb the primary, start it, make the (empty) database, copy it to the replica."""
        _run(BIN / "initdb", "-D", self.primary_dir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--no-instructions")  # fmt: skip
        self._configure(self.primary_dir, self.primary_port)
        self.start_server(self.primary_dir)
        with self.admin(self.primary_port, "postgres") as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        if not replica:
            return
        _run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port),
             "-U", "postgres", "-D", self.replica_dir, "-R", "-X", "stream", "-c", "fast",
             "--no-sync")  # fmt: skip
        self._configure(self.replica_dir, self.replica_port)
        self.start_server(self.replica_dir)

    def start_server(self, data: Path) -> None:
        _run(BIN / "pg_ctl", "-D", data, "-l", data / "server.log", "-w", "-t", "30", "start")

    def restart_server(self, data: Path) -> None:
        """`pg_ctl restart -m fast`: every session is cut, the server is back when it returns."""
        _run(BIN / "pg_ctl", "-D", data, "-l", data / "server.log", "-m", "fast", "-w", "-t", "30",
             "restart")  # fmt: skip

    def stop_server(self, data: Path) -> None:
        _run(BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")

    def wait_replayed(self, timeout: float = 10.0) -> None:
        """Until the replica has replayed everything the primary has written."""
        with self.admin(self.primary_port) as primary, self.admin(self.replica_port) as replica:
            lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
            assert lsn is not None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                row = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn[0],)
                ).fetchone()
                if row and row[0]:
                    return
                time.sleep(0.02)
        raise AssertionError("the replica did not catch up")

    def stop(self) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):  # gone already: removed all the same
                    self.stop_server(data)
        shutil.rmtree(self.root, ignore_errors=True)


def make_pair(*, replica: bool = True) -> ReplicaPair:
    root = Path(tempfile.mkdtemp(prefix="od-replica-"))
    if os.geteuid() == 0:  # the postgres user runs the servers in it
        shutil.chown(root, "postgres", "postgres")
    pair = ReplicaPair(root)
    try:
        pair.start(replica=replica)
    except BaseException:
        pair.stop()
        raise
    return pair


def make_primary() -> ReplicaPair:
    """A private primary alone (no replica), for tests that restart or stop it."""
    return make_pair(replica=False)
