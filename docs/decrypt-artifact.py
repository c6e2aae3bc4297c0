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


def unwrap_data_key(key_file, record_file):
    text = open(key_file).read().strip()
    master = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    record = json.load(open(record_file))
    record = record.get("data_key") or record
    key_id = hashlib.sha256(b"ccgpt-backup-key-id" + master).hexdigest()[:16]
    if record["algorithm"] != "AES-256-GCM" or record["key_id"] != key_id:
        fail(f"wrong key: the backup was encrypted with key {record['key_id']}, the key file has {key_id}")
    try:
        return AESGCM(master).decrypt(base64.b64decode(record["nonce"]),
                                      base64.b64decode(record["wrapped_key"]), b"ccgpt-backup-dek-v1")
    except InvalidTag:
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
except BaseException:
    if os.path.exists(output + ".part"):
        os.remove(output + ".part")
    raise
