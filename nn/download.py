"""Published files fetched over http(s) into a folder, only when a user asks (``python -m nn download``).

Each file is streamed into a temporary file beside its target, hashed as it arrives, and renamed into
place only once its size and SHA-256 are the published ones (``autograd.conventions.files.atomic_write``): a wrong
checksum, a short or over-long body, an HTTP error, a stall longer than the timeout, a download still
unfinished at its deadline (a server trickling bytes) or Ctrl-C leave no file behind. A file already there
with the published checksum is not fetched again.
"""
from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from autograd.conventions.files import atomic_write, folder_made, open_regular

TIMEOUT = 30.0  # seconds without a byte (or a connection) before a download is given up
DEADLINE = 900.0  # seconds for a whole download (MNIST's 11.6 MB at 13 kB/s), checked between reads
CHUNK = 64 * 1024
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Published:
    """What a file's publisher says it is: its size in bytes and its SHA-256 (hex)."""

    size: int
    sha256: str


class DownloadError(OSError):
    """A download that failed or did not match what was published; nothing of it was kept."""


class _RedirectsWithinHttp(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) address (never ftp:, file: or data:)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl, "a redirect")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """An opener that speaks http and https only (proxies from the environment, as urllib's default does)."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(),
                    _RedirectsWithinHttp(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def check_url(url: str, what: str = "the mirror") -> str:
    """``url`` when it is an http(s) address with a host (and a port, if any, from 0 to 65535), written
    without spaces or control characters; ValueError naming ``what`` otherwise, before any connection."""
    valid = f"{what} must be an http:// or https:// address"
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise ValueError(f"{valid} without spaces or control characters (a space is %20), got {url!r:.80}")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it: a port that is not a number from 0 to 65535 is a ValueError
    except ValueError as error:
        raise ValueError(f"{valid}, got {url!r:.80} ({error})") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValueError(f"{valid}, got {url!r:.80}")
    return url


def holds(path: Path, published: Published) -> bool | None:
    """Whether the regular file ``path`` has the published size and SHA-256; None when there is no file
    (a FIFO or device is NotARegularFileError, without blocking)."""
    try:
        with open_regular(path) as (file, size):
            return size == published.size and _sha256(iter(lambda: file.read(CHUNK), b"")) == published.sha256
    except FileNotFoundError:
        return None


def _sha256(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, target: Path, published: Published, timeout: float = TIMEOUT, progress: bool = True,
          deadline: float = DEADLINE) -> str:
    """Download ``url`` into ``target`` unless it already holds the published file; returns what was done.

    A file there that is not the published one is deleted first. Raises DownloadError (nothing kept)
    for an HTTP error, a stall of ``timeout`` seconds, a download unfinished after ``deadline`` seconds
    (checked between reads, so at most ``timeout`` later), a body of another size or another SHA-256;
    a directory, FIFO or device at ``target`` is NotARegularFileError.
    """
    return _fetch(url, target, published, timeout, progress, _Deadline(deadline))


class _Deadline:
    """``seconds`` from now: ``at``, the moment on the monotonic clock a download is given up."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.at = seconds, time.monotonic() + seconds


def _fetch(url: str, target: Path, published: Published, timeout: float, progress: bool, deadline: _Deadline) -> str:
    check_url(url, "a download")
    present = holds(target, published)
    if present:
        return "already there"
    if present is False:
        target.unlink()
    with atomic_write(target) as file:
        digest = hashlib.sha256()
        for chunk in _body(url, published.size, timeout, progress, target.name, deadline):
            file.write(chunk)
            digest.update(chunk)
        if digest.hexdigest() != published.sha256:
            raise DownloadError(f"{url}: its SHA-256 is {digest.hexdigest()}, not the published "
                                f"{published.sha256}; the download was deleted")
    return "downloaded" if present is None else "downloaded again (the file there was not the published one)"


def _body(url: str, size: int, timeout: float, progress: bool, name: str, deadline: _Deadline):
    """The response's bytes in chunks, exactly ``size`` of them, with a progress bar on a terminal."""
    received = 0
    try:
        with _opener().open(urllib.request.Request(url, headers={"User-Agent": "chainrule"}),
                            timeout=timeout) as response:
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) != size:
                raise DownloadError(f"{url} is {int(announced):,} bytes, the published file {size:,}; "
                                    f"not downloading it")
            with tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc=name, leave=False,
                      disable=None if progress else True) as bar:
                while chunk := response.read1(min(CHUNK, size + 1 - received)):
                    received += len(chunk)
                    if received > size:
                        raise DownloadError(f"{url} sent more than the published {size:,} bytes; "
                                            f"the download was deleted")
                    if time.monotonic() > deadline.at:
                        raise DownloadError(f"{url}: not done within the deadline of {deadline.seconds:g} s "
                                            f"({received:,} of {size:,} bytes arrived); the download was deleted")
                    bar.update(len(chunk))
                    yield chunk
    except DownloadError:
        raise
    except urllib.error.HTTPError as error:
        raise DownloadError(f"{url}: the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise DownloadError(f"cannot download {url}: {_reason(error.reason, timeout)}") from None
    except (OSError, http.client.HTTPException) as error:
        raise DownloadError(f"{url}: {_reason(error, timeout)} after {received:,} of {size:,} bytes; "
                            f"the download was deleted") from None
    if received < size:
        raise DownloadError(f"{url}: the connection closed after {received:,} of {size:,} bytes; "
                            f"the download was deleted")


def _reason(error, timeout: float) -> str:
    if isinstance(error, TimeoutError):
        return f"no data for {timeout:g} s"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def fetch_all(base: str, folder: Path, files: dict[str, Published], timeout: float = TIMEOUT,
              progress: bool = True, report: Callable[[str], None] = print, deadline: float = DEADLINE) -> Path:
    """Fetch each of ``files`` (name → Published) from ``base`` + name into ``folder`` (created if
    missing, and removed again if a fetch fails while it is empty), all within ``deadline`` seconds,
    reporting one line per file; returns the folder."""
    check_url(base)
    give_up = _Deadline(deadline)
    with folder_made(folder):
        for name, published in files.items():
            url = urllib.parse.urljoin(base.rstrip("/") + "/", urllib.parse.quote(name))
            done = _fetch(url, folder / name, published, timeout, progress, give_up)
            report(f"{name}: {done}, {published.size:,} bytes, SHA-256 as published")
    return folder
