"""Fixtures of the harness tests: phantom cohorts ingested once per session through the real
CLI (shared by the runner's and pretraining's tests), and a weights server on the loopback
interface: what `cmrbench weights fetch` downloads in tests.

It serves bytes from memory, counts every request, and can misbehave the two ways a real
download does: flip a byte (corrupt) or close the connection halfway (truncated).
"""

from __future__ import annotations

import hashlib
import io
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

import pytest
import torch
from cmrbench.cli import main
from cmrbench.specs import PretrainedWeights
from cmrbench.tags import Tag

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                   "ALL_PROXY")


class WeightsServer:
    """Files by name at ``url(name)``; ``requests`` lists the paths asked for, in order."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.mode: Literal["ok", "corrupt", "truncate"] = "ok"
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.01,),
                                        daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._http.server_port}/{name}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                server.requests.append(self.path)
                data = server.files.get(self.path.lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                if server.mode == "corrupt":
                    middle = len(data) // 2
                    data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if server.mode == "truncate":
                    data = data[:len(data) // 2]
                    self.close_connection = True
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def weights_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeightsServer]:
    """A running :class:`WeightsServer`, reached directly (any proxy settings removed)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = WeightsServer()
    yield server
    server.close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nothing listens on: what an offline machine's download meets."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/weights.pth"


@pytest.fixture
def publish(weights_server: WeightsServer) -> Callable[..., Tag]:
    """Serve a state dict as torchvision publishes one and return a tag declaring it.

    ``publish(state, encoder="tiny-net")``: the file is ``torch.save(state)``, named like
    torchvision's ``<stem>-<sha256[:8]>.pth``, declared with that 8-character prefix as its
    published hash, the 'torchvision-kinetics400' format and its 'fc' classifier excluded.
    """

    def serve(state: dict[str, torch.Tensor], encoder: str = "tiny-net") -> Tag:
        buffer = io.BytesIO()
        torch.save(state, buffer)
        data = buffer.getvalue()
        prefix = hashlib.sha256(data).hexdigest()[:8]
        filename = f"{encoder}-{prefix}.pth"
        weights_server.files[filename] = data
        return Tag(encoder, PretrainedWeights(
            name="kinetics400", description="test weights on the loopback interface",
            url=weights_server.url(filename), filename=filename, sha256=prefix, licence="CC0-1.0",
            format="torchvision-kinetics400", exclude=("fc",), size_mb=len(data) / 1e6,
            accuracy={"Kinetics-400 acc@1": 12.5}, source="a test"))

    return serve


def tiny_kinetics_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """A few tensors with a 400-way 'fc': the smallest file that reads as a Kinetics file."""
    generator = torch.Generator().manual_seed(seed)
    return {"conv.weight": torch.randn(4, 3, generator=generator),
            "fc.weight": torch.randn(400, 4, generator=generator), "fc.bias": torch.zeros(400)}


@pytest.fixture
def tiny_tag(publish: Callable[..., Tag]) -> Tag:
    """A served tiny Kinetics-format file's tag."""
    return publish(tiny_kinetics_state())


def phantom_store(root: Path, n: int, seed: int) -> Path:
    source, store = root / "source", root / "store"
    assert main(["phantom", "--layout", "clinical", "--n", str(n), "--seed", str(seed),
                 "--out", str(source), "--matrix", "64", "--frames", "12", "--quiet"]) == 0
    assert main(["ingest", "phantom", str(source), "--out", str(store), "--no-progress",
                 "--workers", "2"]) == 0
    return store


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 studies: 26 train, 7 val, 7 test (an odd test split, for 2-process evaluation)."""
    return phantom_store(tmp_path_factory.mktemp("small"), n=40, seed=2)


@pytest.fixture(scope="session")
def learning_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 studies (46 train, 16 val, 18 test) for the tests that must really learn."""
    return phantom_store(tmp_path_factory.mktemp("learning"), n=80, seed=1)
