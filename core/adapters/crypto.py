"""Secrets at rest: access tokens are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

`FOREWARN_SECRET_KEY` holds one key, or several separated by commas: the first encrypts, all decrypt,
so a key is rotated by putting the new one first and re-encrypting (`TokenCipher.rotate`) before the
old one is removed. A key may be a Fernet key (urlsafe base64 of 32 bytes) or any passphrase, which is
stretched to one with SHA-256.
"""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretKeyMissing(RuntimeError):
    pass


def _fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class TokenCipher:
    def __init__(self, secret_keys: str | None) -> None:
        keys = [k.strip() for k in (secret_keys or "").split(",") if k.strip()]
        if not keys:
            raise SecretKeyMissing("FOREWARN_SECRET_KEY is not set: tokens cannot be stored")
        self._fernet = MultiFernet([_fernet(k) for k in keys])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise ValueError("token cannot be decrypted with any FOREWARN_SECRET_KEY") from None

    def rotate(self, ciphertext: str) -> str:
        """The same secret under the current (first) key."""
        return self._fernet.rotate(ciphertext.encode()).decode()
