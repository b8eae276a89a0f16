"""Download one file safely: stream to a temporary ``.part`` file, hash while
writing, and move it into place only once it is complete and checked.

A half-downloaded or wrong file never appears under the final name, so
"the file exists" keeps meaning "the file is good" for every other module.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from lecturecut.core import CancelLike, ProgressFn, bytes_progress, check_cancel
from lecturecut.files import WriteError, atomic_path
from lecturecut.models.errors import ModelError

DOWNLOAD_CHUNK_BYTES = 1 << 16  # 64 KiB per read: Cancel is noticed within one read even on a slow line
CONNECT_TIMEOUT_S = 30  # seconds without an answer before giving up
USER_AGENT = "lecturecut-model-fetch"  # some mirrors refuse Python's default agent


def download(
    url: str,
    dest: Path,
    *,
    sha256: str | None,
    validate: Callable[[Path], None] | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelLike | None = None,
    chunk_bytes: int = DOWNLOAD_CHUNK_BYTES,
) -> str:
    """Download ``url`` to ``dest`` atomically; return the file's sha256 (hex).

    ``sha256``: expected hex digest, or None when the publisher gives none; then
    ``validate(part_path)`` (e.g. a load check) is the only content check and
    should raise ModelError for a bad file. On any failure or cancellation the
    partial file is deleted and ModelError (Cancelled) is raised.
    """
    dest = Path(dest)
    try:
        # atomic_path: a hidden, pid-tagged .part file beside dest, renamed over it only when
        # the download is complete, hashed and validated; removed on any failure or Ctrl-C.
        with atomic_path(dest) as part:
            with open(part, "wb") as out:
                digest = _stream(url, dest, out, progress, cancel, chunk_bytes)
            if sha256 is not None and digest != sha256.lower():
                raise ModelError(
                    f"the download of {url} is corrupt or was replaced (sha256 {digest}, expected {sha256}); "
                    f"nothing was saved. Try again later, or obtain the file elsewhere and copy it to {dest}"
                )
            if validate is not None:
                validate(part)
        return digest
    except WriteError as exc:  # network errors were translated in _stream: this is the local disk
        raise ModelError(f"{exc} (while saving the download of {dest.name})") from exc


def _stream(
    url: str,
    dest: Path,
    out: BinaryIO,
    progress: ProgressFn | None,
    cancel: CancelLike | None,
    chunk_bytes: int,
) -> str:
    """Copy the response body into ``out``; return its sha256. Network failures become ModelError."""
    digest = hashlib.sha256()
    done = 0
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            report = bytes_progress(progress, f"downloading {dest.name}")
            report(0, total)
            while True:
                check_cancel(cancel, f"download of {dest.name} cancelled; nothing was saved")
                chunk = response.read(chunk_bytes)
                if not chunk:
                    break
                out.write(chunk)  # a disk OSError here propagates untranslated (see download)
                digest.update(chunk)
                done += len(chunk)
                report(done, total)
    except urllib.error.HTTPError as exc:
        raise ModelError(
            f"the server answered {exc.code} {exc.reason} for {url}: the mirror may have moved. "
            f"Download the file some other way and copy it to {dest}"
        ) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(
            f"could not download {url} ({reason}). No network? Download it on another machine and copy it to {dest}"
        ) from exc
    if total is not None and done != total:
        raise ModelError(f"the download of {url} stopped after {done} of {total} bytes: try again")
    return digest.hexdigest()
