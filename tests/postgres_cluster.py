"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free loopback port, stopped
and deleted at the end.

The server binaries come from ``pg_config --bindir`` or ``/usr/lib/postgresql/<version>/bin``
(Debian's ``postgresql`` package, which ``.ci/run`` installs). PostgreSQL refuses to run as
root, so under root the cluster runs as the ``postgres`` user (or ``nobody``) through
``runuser``. Missing binaries raise :class:`PostgresMissing`: the tests that need a server fail
with that message, they never skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

_SERVER_TOOLS = ("initdb", "pg_ctl", "postgres", "psql")
_UNPRIVILEGED_USERS = ("postgres", "nobody")
_DEBIAN_ROOT = Path("/usr/lib/postgresql")
_INSTALL_HINT = (
    "install Debian's PostgreSQL server (`sudo apt-get install -y postgresql`; `.ci/run` does "
    "it) or put a directory holding initdb, pg_ctl, postgres and psql first on PATH"
)


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def _has_tools(bindir: Path) -> bool:
    return all((bindir / tool).is_file() for tool in _SERVER_TOOLS)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir(debian_root: Path = _DEBIAN_ROOT) -> Path:
    """The directory holding initdb, pg_ctl, postgres and psql, newest version first."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(sorted(debian_root.glob("*/bin"), key=_version_key, reverse=True))
    for bindir in candidates:
        if _has_tools(bindir):
            return bindir
    looked = ", ".join(str(path) for path in candidates) or "no pg_config, no /usr/lib/postgresql"
    raise PostgresMissing(
        f"PostgreSQL server binaries not found (looked in: {looked}); {_INSTALL_HINT}."
    )


def free_port() -> int:
    """A loopback TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The unprivileged account the server runs as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    for name in _UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresMissing(
        f"running as root and none of the users {', '.join(_UNPRIVILEGED_USERS)} exists: "
        "PostgreSQL refuses to run as root; create one (`useradd postgres`) or run the tests "
        "as an ordinary user"
    )


@dataclass
class PostgresCluster:
    """One running cluster; ``start()`` it, ``stop()`` it (``with`` does both)."""

    bindir: Path = field(default_factory=find_bindir)
    user: str = "pressroom"
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    host: str = "127.0.0.1"
    port: int = 0
    root: Path | None = None

    @property
    def datadir(self) -> Path:
        assert self.root is not None, "the cluster is not started"
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        """A libpq/SQLAlchemy URL for ``dbname`` with this cluster's credentials."""
        return (
            f"postgresql://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
            f"@{self.host}:{self.port}/{quote(dbname, safe='')}"
        )

    def _run(self, args: list[str], *, as_server: bool) -> subprocess.CompletedProcess[str]:
        runas = _server_user() if as_server else None
        command = ["runuser", "-u", runas, "--", *args] if runas else args
        env = {**os.environ, "PGPASSWORD": self.password, "LC_ALL": "C"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(
                f"`{' '.join(args)}` failed (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def start(self) -> PostgresCluster:
        """initdb with password auth, then start on a free loopback port (retried on a clash)."""
        self.root = Path(tempfile.mkdtemp(prefix="pressroom-pg-"))
        runas = _server_user()
        if runas:
            entry = pwd.getpwnam(runas)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if runas:
            os.chown(pwfile, pwd.getpwnam(runas).pw_uid, -1)
        pwfile.chmod(0o600)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.datadir),
                "-U", self.user,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-sync",
            ],
            as_server=True,
        )  # fmt: skip
        pwfile.unlink()
        last_error: Exception | None = None
        for _attempt in range(5):
            self.port = free_port()
            options = (
                f"-c listen_addresses={self.host} -c port={self.port} "
                "-c unix_socket_directories='' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200"
            )
            try:
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D", str(self.datadir),
                        "-l", str(self.root / "server.log"),
                        "-o", options,
                        "-w", "-t", "60",
                        "start",
                    ],
                    as_server=True,
                )  # fmt: skip
                return self
            except RuntimeError as error:
                last_error = error
        log = (self.root / "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"PostgreSQL did not start: {last_error}\nserver log:\n{log}")

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run ``sql`` with psql; its unaligned, tuples-only output."""
        result = self._run(
            [str(self.bindir / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
             "-d", self.url(dbname), "-c", sql],
            as_server=False,
        )  # fmt: skip
        return result.stdout.strip()

    def create_database(self, dbname: str) -> str:
        """A new empty database; its URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", dbname):
            raise ValueError(f"database name {dbname!r}: use lower-case letters, digits, _")
        self.psql(f'create database "{dbname}"')
        return self.url(dbname)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if self.root is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(self.datadir),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ],
                    as_server=True,
                )
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
