"""Our loopback MTProto server in a child process, pinned to its own core when there is one.

Running the server in the benchmark's own event loop would make every client
share one core with it and measure the server as much as the client; a child
process (``python -m tlruntime.server``) on the other core measures the
client.  The child prints ``port: N`` once it listens and writes its public
key as a PKCS#1 PEM file, which is all a client needs.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from tlruntime.binary import pack_bytes

PROJECT_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServerKey:
    """The server's RSA public key in the forms the three clients want."""

    pem: str
    n: int
    e: int

    @property
    def fingerprint(self) -> int:
        """Lower 64 bits of SHA1(TL ``rsa_public_key n:string e:string``), as a signed long."""
        def big_endian(value: int) -> bytes:
            return value.to_bytes((value.bit_length() + 7) // 8, "big")

        digest = hashlib.sha1(pack_bytes(big_endian(self.n)) + pack_bytes(big_endian(self.e))).digest()
        return int.from_bytes(digest[-8:], "little", signed=True)


class ServerStartError(RuntimeError):
    """The server child did not come up; carries what it printed."""


def _load_key(pem: str) -> ServerKey:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    key = load_pem_public_key(pem.encode())
    if not isinstance(key, RSAPublicKey):
        raise ServerStartError("server public key is not RSA")
    numbers = key.public_numbers()
    return ServerKey(pem=pem, n=numbers.n, e=numbers.e)


def _pin(pid: int, cpu: int) -> None:
    """Best effort: keep ``pid`` on ``cpu`` (no-op on one core or without affinity support)."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        try:
            os.sched_setaffinity(pid, {cpu})
        except OSError:
            pass


def keep_on_cpu(cpus: int | set[int]) -> set[int] | None:
    """Pin this process to ``cpus`` (one core or a set to restore); returns the previous affinity.

    None when nothing was changed (one core only, or no affinity support).
    """
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    previous = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {cpus} if isinstance(cpus, int) else cpus)
    except OSError:
        return None
    return previous


class ServerProcess:
    """``with ServerProcess() as server:`` -> ``server.port``, ``server.key``; stops the child on exit."""

    def __init__(self, server_cpu: int = 1) -> None:
        self._server_cpu = server_cpu
        self._tmp = tempfile.TemporaryDirectory(prefix="tl-bench-")
        self._process: subprocess.Popen[str] | None = None
        self._stderr_path = Path(self._tmp.name) / "server.stderr"
        self._stderr_file = open(self._stderr_path, "w")
        self.port = 0
        self.key: ServerKey | None = None

    def __enter__(self) -> ServerProcess:
        pem_path = Path(self._tmp.name) / "server.pem"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tlruntime.server", "--host", HOST, "--port", "0",
             "--public-key-out", str(pem_path)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            # A file, not a pipe: nobody reads stderr while the server runs, and
            # a full pipe would stall the server in the middle of a benchmark.
            stderr=self._stderr_file,
            text=True,
        )
        _pin(self._process.pid, self._server_cpu)
        try:
            self.port = self._wait_for_port()
            self.key = _load_key(pem_path.read_text())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    @property
    def pid(self) -> int:
        """The server child's process id (for reading its CPU time and RSS)."""
        if self._process is None:
            raise ServerStartError("server process not started")
        return self._process.pid

    def _wait_for_port(self) -> int:
        process = self._process
        if process is None or process.stdout is None:
            raise ServerStartError("server process not started")
        # Blocking readline, with a watchdog that kills a child that never
        # listens: readline then returns "" and we report what it printed.
        watchdog = threading.Timer(STARTUP_TIMEOUT, process.kill)
        watchdog.start()
        try:
            for line in process.stdout:
                if line.startswith("port:"):
                    return int(line.split(":", 1)[1])
        finally:
            watchdog.cancel()
        raise ServerStartError(f"server exited before listening: {self._stderr_tail()}")

    def _stderr_tail(self) -> str:
        try:
            text = self._stderr_path.read_text(errors="replace")
        except OSError:
            return "no output"
        return (text.strip().splitlines() or ["no output"])[-1]

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process is not None and process.stdout is not None:
            process.stdout.close()
        self._stderr_file.close()
        self._tmp.cleanup()
