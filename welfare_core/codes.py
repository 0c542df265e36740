"""Join codes, facilitator passcodes and tokens: generation, normalising and hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L or U/V: letters a participant can read off a projector and type on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
JOIN_CODE_LENGTH = 8  # 29**8 is about 5 * 10**11 codes
PASSCODE_MIN_LENGTH = 6
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def format_code(code: str) -> str:
    """ABCD-EFGH: easier to read aloud and copy than eight letters in a row."""
    return f"{code[:4]}-{code[4:]}"


# The Thai Kedmanee keyboard: what each key gives (unshifted, then shifted) and the Latin letter
# or digit printed on it, so that a code typed with the Thai layout on still opens its group.
# Thai digits are taken for their value; the dash and = keys (ข, ช) separate, like a dash.
_KEDMANEE = str.maketrans(
    "ๅ/ภถุึคตจขชๆไำพะัีรนยฟหกดเ้่าสผปแอิืท๐ฎฑธํ๊ณฯญฤฆฏโฌ็๋ษศฉฮฺ์๑๒๓๔๕๖๗๘๙",
    "124567890  QWERTYUIOPASDFGHJKLZXCVBNMQERTYUIOPASDFGHJKLCVBN123456789",
)


def typed_in_thai(typed: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in typed)


def normalise_code(typed: str) -> str:
    """Accept lower case, spaces and dashes the way people type a code, and the keys of the
    Thai keyboard layout for the letters and digits they sit on."""
    if typed_in_thai(typed):
        typed = typed.translate(_KEDMANEE)
        # There the 3 key gives "-": a code that is short by exactly its dashes had 3s in it.
        if len(_letters_and_digits(typed)) + typed.count("-") == JOIN_CODE_LENGTH:
            typed = typed.replace("-", "3")
    return _letters_and_digits(typed)


def _letters_and_digits(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def new_passcode() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def hash_passcode(passcode: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    salt = salt or secrets.token_bytes(16)
    return salt, hashlib.scrypt(passcode.encode(), salt=salt, **_SCRYPT)


def passcode_matches(passcode: str, salt: bytes, expected: bytes) -> bool:
    return hmac.compare_digest(hash_passcode(passcode, salt)[1], expected)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to keep them out of the database."""
    return hashlib.sha256(token.encode()).hexdigest()
