"""python -m nn download mnist, against a server each test starts on 127.0.0.1 serving generated IDX files."""
from __future__ import annotations

import gzip
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from nn import datasets, mnist
from nn.__main__ import build_parser, main
from nn.download import DownloadError, Published
from tests.support.mnist_files import idx, stripes

ROOT = Path(__file__).resolve().parents[2]


class Mirror:
    """A local web server: ``routes[path] = (status, body, announced length or None, bytes before a stall)``."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple] = {}
        self.requests: list[str] = []
        self.release = threading.Event()
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                mirror.requests.append(self.path)
                status, body, announced, stall_after = mirror.routes.get(self.path, (404, b"no such file", None, None))
                self.send_response(status)
                if announced is not None:
                    self.send_header("Content-Length", str(announced))
                self.end_headers()
                self.wfile.write(body if stall_after is None else body[:stall_after])
                self.wfile.flush()
                if stall_after is not None:
                    mirror.release.wait(60)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mnist/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve(self, name: str, body: bytes, announced: int | None = -1, stall_after: int | None = None,
              status: int = 200) -> None:
        self.routes[f"/mnist/{name}"] = (status, body, len(body) if announced == -1 else announced, stall_after)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mirror():
    server = Mirror()
    yield server
    server.close()


def generated_mnist(train: int = 200, test: int = 50) -> tuple[dict[str, bytes], list[np.ndarray]]:
    """The four .gz files of a small MNIST-shaped set, and the arrays they hold."""
    rng = np.random.default_rng(1)
    arrays = [*stripes(train, rng), *stripes(test, rng)]
    files = {name + ".gz": gzip.compress(idx(array)) for name, array in zip(datasets.MNIST_FILES, arrays, strict=True)}
    return files, arrays


def table(files: dict[str, bytes]) -> dict[str, Published]:
    """What a publisher would print for these files, computed with hashlib."""
    return {name: Published(len(body), hashlib.sha256(body).hexdigest()) for name, body in files.items()}


def leftovers(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def test_a_good_run_fetches_the_four_files_which_then_load_and_a_second_run_fetches_nothing(mirror, tmp_path):
    files, arrays = generated_mnist()
    for name, body in files.items():
        mirror.serve(name, body)
    lines = []
    folder = mnist.download(tmp_path / "cache", mirror.url, table(files), timeout=5, report=lines.append)
    assert leftovers(folder) == sorted(files)
    assert all((folder / name).read_bytes() == body for name, body in files.items())
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == ["downloaded"] * 4
    X_train, _y_train, _X_test, y_test = datasets.mnist(folder)
    np.testing.assert_array_equal(np.asarray(X_train), arrays[0].reshape(len(arrays[0]), -1) / 255.0)
    np.testing.assert_array_equal(y_test, arrays[3])
    served = len(mirror.requests)
    lines.clear()
    mnist.download(folder, mirror.url, table(files), timeout=5, report=lines.append)
    assert len(mirror.requests) == served
    assert all("already there" in line for line in lines)


def test_a_wrong_checksum_deletes_the_download_and_says_so(mirror, tmp_path):
    files, _ = generated_mnist()
    for name, body in files.items():
        mirror.serve(name, body)
    published = table(files)
    wrong = "t10k-images-idx3-ubyte.gz"
    published[wrong] = Published(len(files[wrong]), hashlib.sha256(b"another file").hexdigest())
    with pytest.raises(DownloadError, match=f"{wrong}: its SHA-256 is {hashlib.sha256(files[wrong]).hexdigest()}, "
                                            f"not the published .*; the download was deleted"):
        mnist.download(tmp_path, mirror.url, published, timeout=5, progress=False, report=lambda line: None)
    assert leftovers(tmp_path) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]


def test_a_file_there_that_is_not_the_published_one_is_downloaded_again(mirror, tmp_path):
    files, _ = generated_mnist()
    for name, body in files.items():
        mirror.serve(name, body)
        (tmp_path / name).write_bytes(body[:-1] + bytes([body[-1] ^ 1]))  # same size, one bit flipped
    lines = []
    mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lines.append)
    assert all((tmp_path / name).read_bytes() == body for name, body in files.items())
    assert all("downloaded again (the file there was not the published one)" in line for line in lines)


@pytest.mark.parametrize("announced", [-1, None], ids=["with Content-Length", "without"])
def test_a_truncated_file_is_not_kept(mirror, tmp_path, announced):
    files, _ = generated_mnist()
    name = "train-images-idx3-ubyte.gz"
    body = files[name]
    mirror.serve(name, body, announced=len(body) if announced == -1 else None, stall_after=None)
    mirror.routes[f"/mnist/{name}"] = (200, body[:1000], len(body) if announced == -1 else None, None)
    with pytest.raises(DownloadError, match=f"the connection closed after 1,000 of {len(body):,} bytes; "
                                            f"the download was deleted"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert leftovers(tmp_path) == []


def test_a_longer_body_than_published_is_refused(mirror, tmp_path):
    files, _ = generated_mnist()
    name = "train-images-idx3-ubyte.gz"
    mirror.serve(name, files[name] + b"more", announced=None)
    with pytest.raises(DownloadError, match=f"sent more than the published {len(files[name]):,} bytes"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    mirror.serve(name, files[name] + b"more")
    with pytest.raises(DownloadError, match=f"is {len(files[name]) + 4:,} bytes, the published file"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert leftovers(tmp_path) == []


def test_a_404_names_the_address_and_keeps_nothing(mirror, tmp_path):
    files, _ = generated_mnist()
    with pytest.raises(DownloadError, match=f"{mirror.url}train-images-idx3-ubyte.gz: the server answered 404"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert leftovers(tmp_path) == []


def test_a_failed_first_download_leaves_no_empty_folders(mirror, tmp_path):
    files, _ = generated_mnist()  # the mirror serves none of them: the first file is a 404
    with pytest.raises(DownloadError, match="the server answered 404"):
        mnist.download(tmp_path / "cache" / "mnist", mirror.url, table(files), timeout=5, report=lambda line: None)
    assert leftovers(tmp_path) == []  # cache/mnist, made for the download, went with it


def test_a_stalling_server_is_given_up_after_the_timeout(mirror, tmp_path):
    files, _ = generated_mnist()
    name = "train-images-idx3-ubyte.gz"
    mirror.serve(name, files[name], stall_after=500)
    start = time.monotonic()
    with pytest.raises(DownloadError, match=f"no data for 1 s after 500 of {len(files[name]):,} bytes"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=1, report=lambda line: None)
    assert time.monotonic() - start < 10
    assert leftovers(tmp_path) == []


def test_a_server_trickling_bytes_forever_is_given_up_at_the_deadline(mirror, tmp_path, capsys, monkeypatch):
    """A byte every 20 ms never trips the 30 s stall timeout; the whole download's deadline ends it."""
    files, _ = generated_mnist()
    monkeypatch.setattr(mnist, "MNIST_PUBLISHED", table(files))
    name = "train-images-idx3-ubyte.gz"
    trickled = []
    original = mirror.server.RequestHandlerClass.do_GET

    def trickle(handler):
        if not handler.path.endswith(name):
            return original(handler)
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(files[name])))
        handler.end_headers()
        for byte in files[name][:3000]:  # 60 s at most, and ended at once by the mirror's close()
            if mirror.release.wait(0.02):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            trickled.append(byte)
        return None

    mirror.server.RequestHandlerClass.do_GET = trickle
    start = time.monotonic()
    code = main(["download", "mnist", "--dir", str(tmp_path), "--mirror", mirror.url, "--quiet", "--deadline", "1"])
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert f"{name}: not done within the deadline of 1 s (" in err
    assert f" of {len(files[name]):,} bytes arrived); the download was deleted" in err
    assert 1 <= elapsed < 5
    assert 10 < len(trickled) < 3000  # bytes did arrive, slowly, until the deadline
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("location", "message"), [
    ("ftp://127.0.0.1/x.gz", "a redirect must be an http:// or https:// address, got 'ftp://127.0.0.1/x.gz'"),
    ("file:///etc/passwd", "Redirection to url 'file:///etc/passwd' is not allowed")])
def test_a_redirect_away_from_http_is_refused(mirror, tmp_path, location, message):
    files, _ = generated_mnist()
    mirror.routes["/mnist/train-images-idx3-ubyte.gz"] = (302, b"", 0, None)
    original = mirror.server.RequestHandlerClass.end_headers

    def with_location(handler):
        if handler.path.endswith("idx3-ubyte.gz"):
            handler.send_header("Location", location)
        original(handler)

    mirror.server.RequestHandlerClass.end_headers = with_location
    with pytest.raises((OSError, ValueError), match=message):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert leftovers(tmp_path) == []


def test_a_fifo_where_a_file_goes_is_refused_without_blocking(mirror, tmp_path):
    files, _ = generated_mnist()
    os.mkfifo(tmp_path / "train-images-idx3-ubyte.gz")
    with pytest.raises(OSError, match="FIFO"):
        mnist.download(tmp_path, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert mirror.requests == []


def run_cli(args: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nn", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_ctrl_c_mid_file_leaves_nothing_half_written_exits_130_with_one_line(mirror, tmp_path):
    name, published = "train-images-idx3-ubyte.gz", mnist.MNIST_PUBLISHED["train-images-idx3-ubyte.gz"]
    mirror.serve(name, bytes(300_000), announced=published.size, stall_after=300_000)
    process = run_cli(["download", "mnist", "--dir", str(tmp_path), "--mirror", mirror.url, "--quiet"])
    try:
        deadline = time.monotonic() + 30
        while not any(entry.stat().st_size > 0 for entry in tmp_path.iterdir()):  # the temporary file, filling
            assert time.monotonic() < deadline
            assert process.poll() is None
            time.sleep(0.05)
        assert [entry.name for entry in tmp_path.iterdir()] != [name]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert err == "python -m nn: interrupted\n"
    assert out == ""
    assert leftovers(tmp_path) == []


def test_the_published_checksums_hold_on_the_command_line(mirror, tmp_path, capsys):
    """No option weakens them: a file of the published size but other bytes is deleted, in one line."""
    name, published = "train-images-idx3-ubyte.gz", mnist.MNIST_PUBLISHED["train-images-idx3-ubyte.gz"]
    mirror.serve(name, bytes(published.size))
    code = main(["download", "mnist", "--dir", str(tmp_path), "--mirror", mirror.url, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert f"its SHA-256 is {hashlib.sha256(bytes(published.size)).hexdigest()}, not the published " \
           f"{published.sha256}; the download was deleted" in err
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mirror_url", ["ftp://example.org/mnist/", "file:///tmp/", "example.org/mnist"])
def test_only_http_mirrors_are_accepted(tmp_path, capsys, mirror_url):
    assert main(["download", "mnist", "--dir", str(tmp_path), "--mirror", mirror_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--mirror must be an http:// or https:// address" in err


@pytest.mark.parametrize(("mirror_url", "why"), [
    ("http://127.0.0.1:99999/", "(Port out of range 0-65535)"), ("http://127.0.0.1:abc/", "(Port could not be cast"),
    ("http://[::1/", "(Invalid IPv6 URL)"), ("https://example.org/my mirror/", "without spaces or control characters"),
    ("http://example.org/\x1b[2J/", "without spaces or control characters"),
])
def test_a_mirror_that_is_no_address_is_refused_before_any_connection(tmp_path, capsys, mirror_url, why):
    # these reached the download and came back as Python's words ("URL can't contain control characters",
    # "nonnumeric port") followed by "the download was deleted", with nothing downloaded
    assert main(["download", "mnist", "--dir", str(tmp_path / "cache"), "--mirror", mirror_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("python -m nn: error: argument --mirror: --mirror must be an http:// or https:// address")
    assert why in err
    assert "deleted" not in err
    assert not (tmp_path / "cache").exists()


def test_the_cache_folder_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mnist.default_dir() == tmp_path / "chainrule" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG spec: a relative path is ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist.default_dir() == tmp_path / "home" / ".cache" / "chainrule" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist.default_dir() == tmp_path / "home" / ".cache" / "chainrule" / "mnist"


def test_train_mnist_reads_the_downloaded_folder_without_mnist_dir(mirror, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    argv = ["train", "mnist", "--epochs", "1", "--quiet", "--no-plots", "--out", str(tmp_path / "run")]
    assert main(argv) == 2  # nothing downloaded unasked: it says how
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "python -m nn download mnist" in err
    assert mirror.requests == []
    files, _ = generated_mnist()
    for name, body in files.items():
        mirror.serve(name, body)
    assert not mnist.available()
    mnist.download(None, mirror.url, table(files), timeout=5, report=lambda line: None)
    assert mnist.available()
    assert not mnist.available(tmp_path)
    assert main(argv) == 0
    assert "mnist: 200 training samples of 784 features" in capsys.readouterr().out


def test_the_command_resolves_the_default_folder_once_and_fills_the_folder_it_checked(mirror, tmp_path, capsys,
                                                                                     monkeypatch):
    """--dir left out: one look-up of the cache folder, checked then filled (two could disagree, say when
    XDG_CACHE_HOME changes between them)."""
    looked_up = []
    monkeypatch.setattr(mnist, "default_dir", lambda: looked_up.append(1) or tmp_path / "cache")
    build_parser()  # its --help shows the default folder too
    for_help = len(looked_up)
    files, _ = generated_mnist()
    monkeypatch.setattr(mnist, "MNIST_PUBLISHED", table(files))
    for name, body in files.items():
        mirror.serve(name, body)
    assert main(["download", "mnist", "--mirror", mirror.url, "--quiet"]) == 0
    assert len(looked_up) == 2 * for_help + 1
    assert sorted(files) == leftovers(tmp_path / "cache")
    assert f"MNIST is in {tmp_path / 'cache'}; `python -m nn train mnist` reads it" in capsys.readouterr().out


def test_the_reader_command_printed_after_a_download_into_a_folder_with_a_space_can_be_pasted(mirror, tmp_path,
                                                                                              capsys, monkeypatch):
    files, _ = generated_mnist()
    monkeypatch.setattr(mnist, "MNIST_PUBLISHED", table(files))
    for name, body in files.items():
        mirror.serve(name, body)
    folder = tmp_path / "my data"
    assert main(["download", "mnist", "--dir", str(folder), "--mirror", mirror.url, "--quiet"]) == 0
    assert f"`python -m nn train mnist --mnist-dir '{folder}'` reads it" in capsys.readouterr().out


@pytest.mark.parametrize(("option", "value"), [("--timeout", "1e300"), ("--timeout", "0"), ("--deadline", "86401"),
                                               ("--deadline", "-1")])
def test_timeouts_past_a_day_or_not_positive_are_refused_naming_the_range(tmp_path, capsys, option, value):
    # 1e300 s used to reach the socket: "timestamp out of range for platform time_t"
    code = main(["download", "mnist", "--dir", str(tmp_path), "--mirror", "http://127.0.0.1:9/", option, value])
    err = capsys.readouterr().err
    assert code == 2
    assert f"argument {option}: expected a number of seconds > 0 and at most 86400 (a day), got '{value}'" in err
    assert leftovers(tmp_path) == []
