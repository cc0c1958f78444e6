"""Staff accounts of the review tool: password hashing (scrypt) and the account command.

    python -m bot.review.accounts create --username anna --role admin   # asks for the password
    echo "$PASSWORD" | python -m bot.review.accounts create --username ville --role reviewer
    python -m bot.review.accounts list | disable --username x | password --username x

There are no accounts until one is created with this command.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import re
import secrets
import sys
import time
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.review.store import Account, ReviewDatabase

ROLES = ("reviewer", "admin")
MIN_PASSWORD_LENGTH = 12
# scrypt cost: 32 MiB and about 0.1 s per hash on a laptop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(ValueError):
    """An account could not be created or changed; the message says why."""


def hash_password(password: str, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)
    encode = base64.b64encode
    return f"scrypt${n}${r}${p}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                maxmem=256 * 1024 * 1024, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when a username is unknown, so that the answer takes as long as for a known one."""
    return hash_password(secrets.token_hex(8))


def check_login(session: Session, username: str, password: str) -> Account | None:
    account = session.execute(select(Account).where(Account.username == username.strip().lower())).scalar_one_or_none()
    if account is None or account.disabled:
        verify_password(password, _dummy_hash())
        return None
    return account if verify_password(password, account.password_hash) else None


def validate(username: str, password: str, role: str) -> str:
    username = username.strip().lower()
    if not _USERNAME.fullmatch(username):
        raise AccountError("username: 2-64 characters: lower-case letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return username


def create_account(session: Session, username: str, password: str, role: str) -> Account:
    username = validate(username, password, role)
    if session.execute(select(Account).where(Account.username == username)).scalar_one_or_none():
        raise AccountError(f"an account named {username!r} already exists")
    account = Account(username=username, password_hash=hash_password(password), role=role,
                      created_at=time.time(), disabled=False)
    session.add(account)
    session.flush()
    return account


def _read_password(confirm: bool) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Password again: ") != password:
        raise AccountError("the passwords differ")
    return password


def main(argv: list[str] | None = None) -> int:
    from bot.review.audit import record
    from bot.review.sessions import end_sessions_of
    from bot.settings import get_settings

    parser = argparse.ArgumentParser(description="Staff accounts of the review tool.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an account (password from the prompt or stdin)")
    create.add_argument("--username", required=True)
    create.add_argument("--role", choices=ROLES, default="reviewer")
    commands.add_parser("list", help="list accounts")
    for name, text in (("disable", "disable an account and end its sessions"),
                       ("password", "set a new password (from the prompt or stdin)")):
        commands.add_parser(name, help=text).add_argument("--username", required=True)
    args = parser.parse_args(argv)

    database = ReviewDatabase(get_settings().review_url, workers=1)
    database.create_schema()
    try:
        if args.command == "create":
            password = _read_password(confirm=True)
            account = database.transaction(lambda s: create_account(s, args.username, password, args.role))
            database.transaction(lambda s: record(s, "command", "account_create", detail=account.username))
            print(f"Created {account.role} account {account.username!r}.")
        elif args.command == "list":
            for account in database.transaction(lambda s: s.execute(select(Account).order_by(Account.username))
                                                .scalars().all()):
                state = "disabled" if account.disabled else "active"
                print(f"{account.username}\t{account.role}\t{state}")
        else:
            def change(session: Session) -> None:
                account = session.execute(select(Account).where(
                    Account.username == args.username.strip().lower())).scalar_one_or_none()
                if account is None:
                    raise AccountError(f"no account named {args.username!r}")
                if args.command == "disable":
                    account.disabled = True
                else:
                    validate(account.username, password, account.role)
                    account.password_hash = hash_password(password)
                end_sessions_of(session, account.id)
                record(session, "command", f"account_{args.command}", detail=account.username)

            password = _read_password(confirm=True) if args.command == "password" else ""
            database.transaction(change)
            print("Done.")
    except AccountError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    finally:
        database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
