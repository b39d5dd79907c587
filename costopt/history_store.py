"""Where audit history lives: a local folder, or an S3 / GCS prefix, one sub-folder per scope.

Why scopes: a history compares each audit with the previous one *of the same estate*. The demo,
a file-based audit of one export and a live audit of an AWS organisation are different estates:
comparing one with another gives figures such as "weekly spend +264,962%". Each audit is kept
under ``<location>/<scope>/``; the scope is ``--history-scope`` / ``[history] scope`` when given,
else derived from what the audit read (:func:`derive_scope`).

Why object storage: a weekly CI job starts on a clean machine; a history kept in a CI cache is
evicted after days of disuse. ``s3://bucket/prefix`` (boto3) or ``gs://bucket/prefix``
(google-cloud-storage) keep it where the organisation keeps its other state.

A store holds flat file names (``audit-*.json``, ``index.json``); writes are whole objects
(atomic locally: temp file + rename; S3 and GCS objects are replaced whole by nature).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from costopt.atomic import sweep_stale, temp_file, write_atomic
from costopt.config import DEFAULT_HISTORY_DIR
from costopt.errors import InputError

DEMO_SCOPE = "demo"
SCOPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
MAX_SCOPE = 80
T = TypeVar("T")


class Store(Protocol):
    """A flat set of named text files."""

    @property
    def location(self) -> str: ...

    def names(self) -> list[str]: ...

    def read_text(self, name: str) -> str: ...

    def write_text(self, name: str, text: str) -> None: ...

    def create_text(self, name: str, text: str) -> None:
        """Write a new file; FileExistsError when ``name`` exists (where the store can tell)."""


@dataclass(frozen=True)
class LocalStore:
    """A folder on disk."""

    path: Path

    @property
    def location(self) -> str:
        return str(self.path)

    def names(self) -> list[str]:
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.is_file())

    def read_text(self, name: str) -> str:
        return (self.path / name).read_text(encoding="utf-8")

    def write_text(self, name: str, text: str) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path / name, text)
        except OSError as exc:
            raise InputError(f"cannot write the history ({exc.strerror or exc})", path=str(self.path / name),
                             key="history") from None

    def create_text(self, name: str, text: str) -> None:
        """Write a complete temp file, then link it to ``name``: the link fails if ``name`` exists,
        so two audits saving at once never overwrite each other."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            sweep_stale(self.path)
            fd, tmp = temp_file(self.path, name)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            try:
                os.link(tmp, self.path / name)
            finally:
                os.unlink(tmp)
        except FileExistsError:
            raise
        except OSError as exc:
            raise InputError(f"cannot write the history ({exc.strerror or exc})", path=str(self.path / name),
                             key="history") from None


def _remote(location: str, what: str, call: Callable[[], T]) -> T:
    """Run one SDK call; any failure (credentials, access, network) is one line naming the location."""
    try:
        return call()
    except InputError:
        raise
    except Exception as exc:  # the SDKs raise many types; each means this history cannot be used
        raise InputError(f"cannot {what} the history ({type(exc).__name__}: {exc}); check the credentials and "
                         "the bucket, or pass --no-history", path=location, key="history") from None


@dataclass(frozen=True)
class _ObjectStore:
    """A bucket and a prefix (``scope/``) in an object store, through its SDK ``client``."""

    SCHEME: ClassVar[str] = ""
    bucket: str
    prefix: str
    client: object

    @property
    def location(self) -> str:
        return f"{self.SCHEME}{self.bucket}/{self.prefix}"

    def write_text(self, name: str, text: str) -> None:
        raise NotImplementedError

    def create_text(self, name: str, text: str) -> None:
        """Object stores replace whole objects; names are unique per run time (see costopt.history)."""
        self.write_text(name, text)


@dataclass(frozen=True)
class S3Store(_ObjectStore):
    """``s3://bucket/prefix/scope/``, through boto3 (credentials from the usual AWS chain)."""

    SCHEME: ClassVar[str] = "s3://"

    def names(self) -> list[str]:
        def listing() -> list[str]:
            pages = self.client.get_paginator("list_objects_v2").paginate(  # type: ignore[attr-defined]
                Bucket=self.bucket, Prefix=self.prefix)
            keys = (obj["Key"][len(self.prefix):] for page in pages for obj in page.get("Contents", ()))
            return sorted(k for k in keys if k and "/" not in k)

        return _remote(self.location, "list", listing)

    def read_text(self, name: str) -> str:
        def read() -> str:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"]  # type: ignore[attr-defined]
            return str(body.read().decode("utf-8"))

        return _remote(self.location + name, "read", read)

    def write_text(self, name: str, text: str) -> None:
        _remote(self.location + name, "write", lambda: self.client.put_object(  # type: ignore[attr-defined]
            Bucket=self.bucket, Key=self.prefix + name, Body=text.encode("utf-8"), ContentType="application/json"))


@dataclass(frozen=True)
class GcsStore(_ObjectStore):
    """``gs://bucket/prefix/scope/``, through google-cloud-storage (application default credentials)."""

    SCHEME: ClassVar[str] = "gs://"

    def names(self) -> list[str]:
        def listing() -> list[str]:
            blobs = self.client.list_blobs(self.bucket, prefix=self.prefix)  # type: ignore[attr-defined]
            return sorted(n for n in (b.name[len(self.prefix):] for b in blobs) if n and "/" not in n)

        return _remote(self.location, "list", listing)

    def _blob(self, name: str) -> Any:
        return self.client.bucket(self.bucket).blob(self.prefix + name)  # type: ignore[attr-defined]

    def read_text(self, name: str) -> str:
        return _remote(self.location + name, "read", lambda: str(self._blob(name).download_as_text(encoding="utf-8")))

    def write_text(self, name: str, text: str) -> None:
        _remote(self.location + name, "write",
                lambda: self._blob(name).upload_from_string(text, content_type="application/json"))


def local_root(location: str | os.PathLike | None) -> Path:
    """The local history root: ``location`` (``~`` expanded), else ``$XDG_DATA_HOME/costopt/history``."""
    if location is None or str(location) == DEFAULT_HISTORY_DIR:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
        return Path(base) / "costopt" / "history"
    return Path(location).expanduser()


def _bucket_and_prefix(location: str, scheme: str) -> tuple[str, str]:
    rest = location[len(scheme):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise InputError(f"expected {scheme}BUCKET[/PREFIX], got {location!r}", key="history")
    prefix = prefix.strip("/")
    return bucket, (prefix + "/" if prefix else "")


def check_scope(scope: str) -> str:
    if not SCOPE_RE.match(scope):
        raise InputError(f"expected a history scope of letters, digits, '.', '_' or '-' (at most {MAX_SCOPE}), "
                         f"got {scope!r}", key="history-scope")
    return scope


def _s3_client() -> Any:
    try:
        import boto3  # an optional extra: only a history kept in S3 needs it
    except ModuleNotFoundError:
        raise InputError("a history in S3 needs the 'aws' extra: pip install 'costopt-ml[aws]'", key="history") from None
    return boto3.client("s3")


def _gcs_client() -> Any:
    try:
        from google.cloud import storage  # an optional extra: only a history kept in GCS needs it
    except ModuleNotFoundError:
        raise InputError("a history in GCS needs the 'gcp' extra: pip install 'costopt-ml[gcp]'", key="history") from None
    return storage.Client()


def open_store(location: str | os.PathLike | None, scope: str, *, s3_client: object = None,
               gcs_client: object = None) -> Store:
    """The store for ``scope`` under ``location`` (a folder, ``s3://...`` or ``gs://...``).

    The SDK clients are created here unless given (tests pass clients bound to local fakes).
    """
    check_scope(scope)
    text = str(location) if location is not None else ""
    if text.startswith("s3://"):
        bucket, prefix = _bucket_and_prefix(text, "s3://")
        return S3Store(bucket, f"{prefix}{scope}/", s3_client or _s3_client())
    if text.startswith("gs://"):
        bucket, prefix = _bucket_and_prefix(text, "gs://")
        return GcsStore(bucket, f"{prefix}{scope}/", gcs_client or _gcs_client())
    if re.match(r"^[a-z][a-z0-9+.-]*://", text):
        raise InputError(f"unsupported history location {text!r}; expected a folder, s3://BUCKET/PREFIX or "
                         "gs://BUCKET/PREFIX", key="history")
    return LocalStore(local_root(location) / scope)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "x"


def derive_scope(*, demo: bool = False, providers: Iterable[tuple[str, str]] = (),
                 sources: Iterable[str] = ()) -> str:
    """A scope name from what the audit read: ``demo``; ``aws-123456789012_gcp-proj``; ``files-<name>-<hash>``.

    ``providers`` are (provider, account) pairs; ``sources`` the billing paths or globs, made
    absolute so the same files read from another folder keep their history.
    """
    if demo:
        return DEMO_SCOPE
    pairs = sorted({(p.lower(), a) for p, a in providers if p})
    parts = [f"{p}-{a}" if a else p for p, a in pairs]
    paths = sorted({os.path.abspath(os.path.expanduser(s)) for s in sources})
    if paths:
        digest = hashlib.sha256("\n".join(paths).encode()).hexdigest()[:10]
        parts.append(f"files-{_slug(Path(paths[0]).name)[:24]}-{digest}")
    if not parts:
        return "default"
    name = _slug("_".join(parts))
    if len(name) > MAX_SCOPE:
        digest = hashlib.sha256(name.encode()).hexdigest()[:10]
        name = f"{name[:MAX_SCOPE - 11].rstrip('-._')}-{digest}"
    return name


def list_scopes(location: str | os.PathLike | None, *, s3_client: object = None, gcs_client: object = None) -> list[str]:
    """The scopes that hold saved audits under ``location``."""
    text = str(location) if location is not None else ""
    if text.startswith("s3://"):
        bucket, prefix = _bucket_and_prefix(text, "s3://")
        client: Any = s3_client or _s3_client()
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
        found = [p["Prefix"][len(prefix):].rstrip("/") for page in pages for p in page.get("CommonPrefixes", ())]
    elif text.startswith("gs://"):
        bucket, prefix = _bucket_and_prefix(text, "gs://")
        client = gcs_client or _gcs_client()
        blobs = client.list_blobs(bucket, prefix=prefix)
        found = [b.name[len(prefix):].split("/", 1)[0] for b in blobs if "/" in b.name[len(prefix):]]
    else:
        root = local_root(location)
        found = [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    return sorted({s for s in found if SCOPE_RE.match(s)})
