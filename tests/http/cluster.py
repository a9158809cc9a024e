"""A private PostgreSQL 15 cluster for the tests that stop, restart, dump or
restore a database: the suite's shared cluster must stay up for the other
modules. It lives in a temporary folder, listens on a Unix socket of its own
only, and runs as the postgres user when we are root (PostgreSQL refuses root).
"""
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile

import psycopg

from conftest import BIN, JWT_SECRET

PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")


class Cluster:
    """A throw-away PostgreSQL 15 cluster listening on a Unix socket only."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="parceria-pg-")
        self.data = os.path.join(self.dir, "data")
        self.url = f"postgresql://postgres@/postgres?host={self.dir}&port=5432"
        self.as_pg = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
            self.as_pg = ["runuser", "-u", "postgres", "--"]

    def _pg(self, *args):
        out = subprocess.run(self.as_pg + list(args), capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"{args[0]}: {out.stdout}{out.stderr}"

    def init(self):
        self._pg(f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        # The same settings in its configuration, so that an operator's plain
        # `pg_ctl -D DATA start` (a documented procedure run as it is) starts
        # it as start() does.
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(f"listen_addresses = ''\nunix_socket_directories = '{self.dir}'\n"
                       "port = 5432\nfsync = off\n")

    def start(self, max_connections=20):
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.dir}' -p 5432 "
                f"-c fsync=off -c max_connections={max_connections}")
        self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-w", "-l",
                 os.path.join(self.data, "server.log"), "-o", opts, "start")

    def stop(self, mode="fast"):
        self._pg(f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def running(self):
        return subprocess.run(self.as_pg + [f"{PG_BIN}/pg_ctl", "-D", self.data, "status"],
                              capture_output=True).returncode == 0

    def service_database(self, name="parceria", role="parceria"):
        """The service's login role and an empty database it owns, as a
        deployment has them (created as the superuser); returns the service's
        URL to it. Migrate it, or restore a dump into it."""
        with psycopg.connect(self.url, autocommit=True) as c:
            if c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
                c.execute(f'CREATE ROLE "{role}" LOGIN')
            c.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
        return self.database_url(name, role)

    def database_url(self, name, user="postgres"):
        return f"postgresql://{user}@/{name}?host={self.dir}&port=5432"

    def remove(self):
        if os.path.exists(os.path.join(self.data, "PG_VERSION")) and self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def migrate_env(url, extra=None):
    """The environment `parceria migrate` (or another one-shot command) needs."""
    env = {"PATH": os.environ.get("PATH", ""), "PARCERIA_DATABASE_URL": url,
           "PARCERIA_JWT_SECRET": JWT_SECRET}
    env.update({k: v for k, v in os.environ.items() if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
    env.update(extra or {})
    return env


def run_command(url, *args, binary=BIN, extra=None, timeout=60):
    """Runs `parceria ARGS…` against url; returns the CompletedProcess."""
    return subprocess.run([binary, *args], env=migrate_env(url, extra), capture_output=True,
                          text=True, timeout=timeout)


@contextlib.contextmanager
def migrated_cluster(**start_options):
    """A new cluster, started and migrated with the real binary; removed after."""
    c = Cluster()
    try:
        c.init()
        c.start(**start_options)
        out = run_command(c.url, "migrate", "--contract")
        assert out.returncode == 0, out.stderr
        yield c
    finally:
        c.remove()
