#!/usr/bin/env python3
"""Decrypt one backup artifact by hand, without backup-manager (see docs/encryption.md).

usage: python3 decrypt-artifact.py KEY_FILE MANIFEST_JSON ARTIFACT OUTPUT

MANIFEST_JSON is the backup's manifest.json (its "data_key" record) or a file holding just that
record. OUTPUT gets the plaintext, still compressed (zstd -d or gunzip it next). It is written as
OUTPUT.part and renamed only once every chunk has authenticated; on any error OUTPUT.part is
removed and the exit status is 1. Needs python3 and the `cryptography` package, nothing else.
"""
import base64, hashlib, hmac, json, os, struct, sys
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def fail(message):
    sys.exit("decrypt-artifact: " + message)


def read_master_key(key_file):
    try:
        text = open(key_file, encoding="ascii").read().strip()
    except FileNotFoundError:
        fail(f"key file {key_file} does not exist")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"key file {key_file} cannot be read: {e.strerror if isinstance(e, OSError) else 'not ASCII text'}")
    try:  # 64 hex characters, or 44 base64 characters (the padding "=" may be left out)
        master = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        master = b""
    if len(master) != 32:
        fail(f"key file {key_file} does not hold a 32-byte key (64 hex characters, or 44 base64)")
    return master


def read_data_key_record(record_file):
    try:
        with open(record_file, encoding="utf-8") as f:
            record = json.load(f)
    except OSError as e:
        fail(f"manifest {record_file} cannot be read: {e.strerror}")
    except ValueError as e:
        fail(f"manifest {record_file} is not JSON: {e}")
    if isinstance(record, dict) and "data_key" in record:
        record = record["data_key"]
    fields = ("algorithm", "key_id", "nonce", "wrapped_key")
    if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in fields):
        fail(f"{record_file} has no data_key record: the backup is not encrypted, or this is not its manifest")
    return record


def unwrap_data_key(key_file, record_file):
    master = read_master_key(key_file)
    record = read_data_key_record(record_file)
    key_id = hashlib.sha256(b"ccgpt-backup-key-id" + master).hexdigest()[:16]
    if record["algorithm"] != "AES-256-GCM":
        fail(f"unknown algorithm {record['algorithm']!r} in the data_key record")
    if record["key_id"] != key_id:
        fail(f"wrong key: the backup was encrypted with key {record['key_id']}, the key file has {key_id}")
    try:
        return AESGCM(master).decrypt(base64.b64decode(record["nonce"], validate=True),
                                      base64.b64decode(record["wrapped_key"], validate=True), b"ccgpt-backup-dek-v1")
    except (InvalidTag, ValueError):
        fail("cannot unwrap the data key: key file does not match or the manifest was altered")


def decrypt(dek, f, out):
    header = f.read(29)  # "CCGPTENC", version, chunk size, nonce prefix, data key check
    if len(header) != 29 or header[:9] != b"CCGPTENC\x01":
        fail("not a CCGPTENC version 1 artifact")
    chunk_size, prefix, check = struct.unpack(">I8s8s", header[9:])
    if not hmac.compare_digest(check, hmac.new(dek, b"ccgpt-backup-dek-check-v1", "sha256").digest()[:8]):
        fail("the artifact was encrypted with another data key (another backup's manifest?)")
    aead, index, offset, length = AESGCM(dek), 0, 29, f.read(4)
    while True:  # chunk = u32 length | ciphertext+tag; the last chunk is the one followed by end of file
        size = struct.unpack(">I", length)[0] if len(length) == 4 else -1
        if not 16 <= size <= min(chunk_size, 16 << 20) + 16:
            fail(f"chunk {index} at byte offset {offset}: bad or missing length, the artifact was altered or truncated")
        sealed, following = f.read(size), f.read(4)
        last = len(following) == 0
        try:
            out.write(aead.decrypt(prefix + struct.pack(">I", index), sealed,
                                   header + struct.pack(">IB", index, last)))
        except InvalidTag:
            fail(f"chunk {index} at byte offset {offset} failed authentication: the artifact was altered or truncated")
        if last:
            return
        index, offset, length = index + 1, offset + 4 + size, following


if len(sys.argv) != 5:
    fail(__doc__.split("\n\n")[1])
key_file, manifest, artifact, output = sys.argv[1:]
dek = unwrap_data_key(key_file, manifest)
try:
    owner_only = lambda path, flags: os.open(path, flags, 0o600)  # the plaintext is as secret as the key
    with open(artifact, "rb") as f, open(output + ".part", "wb", opener=owner_only) as out:
        decrypt(dek, f, out)
    os.replace(output + ".part", output)
except BaseException as e:
    if os.path.exists(output + ".part"):
        os.remove(output + ".part")
    if isinstance(e, OSError):
        fail(f"{e.filename or artifact}: {e.strerror}")
    raise
