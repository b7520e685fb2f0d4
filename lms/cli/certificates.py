"""`flask lms verify-credential FILE` (and friends): certificates from the command line, thin over
lms.services.certificates."""

from __future__ import annotations

import json
from pathlib import Path

import click

from lms.cli.group import fail, lms_cli
from lms.services import certificates, credential_documents, credential_keys


class DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """JSON parsers disagree on a repeated key (Python keeps the last, others the first), so a signature checked on
    one reading could vouch for another: a credential with one is refused (RFC 8259 §4: names SHOULD be unique)."""
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise DuplicateKey(f"the key {key!r} appears twice in one object")
        document[key] = value
    return document


@lms_cli.command("verify-credential")
@click.argument("path", type=click.Path(dir_okay=False))
def verify_credential(path: str) -> None:
    """Check an Open Badges credential file: signed by this engine, unchanged, and its certificate not revoked.

    Prints "valid: …" and exits 0, or prints the reason and exits 1.
    """
    file = Path(path)
    if not file.is_file():
        fail(f"{path}: no such file")
    try:
        document = json.loads(file.read_text(encoding="utf-8"), object_pairs_hook=_refuse_duplicate_keys)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{path}: not valid: the file is not JSON ({error})")
    except DuplicateKey as error:
        fail(f"{path}: not valid: {error}")
    outcome = credential_documents.check_credential(document)
    if not outcome.ok:
        fail(f"{path}: not valid: {outcome.message}")
    click.echo(f"{path}: {outcome.message}")


@lms_cli.command("signing-key")
def signing_key_command() -> None:
    """Show where the credential signing key is (creating it if needed) and its public part."""
    document = credential_documents.issuer_document()
    method = document["verificationMethod"][0]
    click.echo(f"key file: {credential_keys.signing_key_path()}")
    click.echo(f"published at: {certificates.issuer_document_url()}")
    click.echo(f"public key (Multikey): {method['publicKeyMultibase']}")
