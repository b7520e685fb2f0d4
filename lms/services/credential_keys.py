"""The engine's credential signing key (Ed25519): created on first use in the instance folder, private to the
process user, and the same key for every process (the first one linked into place wins). Certificates' Open Badges
documents and the issuer document are signed and checked with it (lms.services.certificates)."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from lms.core import credential_proofs

log = logging.getLogger(__name__)

KEY_FILE = "credential_signing_key.pem"


def signing_key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """The engine's Ed25519 key, created on first use in the instance folder (mode 0600) and kept there."""
    return load_or_create_key(str(signing_key_path()))


@lru_cache(maxsize=8)
def load_or_create_key(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if not file.exists():
        _create_key_file(file)
    if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s can be read by other users: chmod 600 it", file)
    return credential_proofs.private_key_from_pem(file.read_bytes())


def _create_key_file(file: Path) -> None:
    """Write the key to a private temporary file, then link it into place: two processes starting at once both end
    up with the one key that was linked first."""
    file.parent.mkdir(parents=True, exist_ok=True)
    pem = credential_proofs.private_key_to_pem(credential_proofs.new_signing_key())
    temporary = file.with_name(f".{file.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, file)
        log.warning("generated the credential signing key %s; back it up with the database", file)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
