"""What one uploaded file may ask of the server (the limits every reader keeps to), and what a
password must be.

Its own module, free of imports, so that the configuration can name it without
loading a reader (the configuration is read before anything else).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may ask of the server (``config.yaml`` → ``upload``)."""

    max_columns: int = 200  # columns in a sheet or CSV row
    max_cells: int = 20_000_000  # rows × columns of the grid a file makes
    max_workbook_cells: int = 5_000_000  # … of a workbook's sheet, counted before it is read (3M cells: 326 MB)
    max_unzipped_mb: int = 200  # an .xlsx whose parts really unpack to more is refused
    memory_mb: int = 1024  # address space of the process that reads a workbook (3M cells took 326 MB)
    seconds: int = 20  # CPU seconds that process may use (3M cells took 6 s)
    readers: int = 2  # workbook readers at once in one server; more wait their turn
    wait_seconds: int = 60  # how long an upload waits for a reader before it is refused as busy

    def as_child(self) -> dict[str, int]:
        return {
            "max_columns": self.max_columns,
            "max_cells": min(self.max_cells, self.max_workbook_cells),  # a workbook's reader holds every cell
            "max_unzipped_mb": self.max_unzipped_mb,
            "memory_mb": self.memory_mb,
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class PasswordRule:
    """What a password must be (``config.yaml`` → ``security``; GB/T 22239 level 2 by default)."""

    min_length: int = 8  # characters at least
    classes: int = 3  # of: upper-case letters, lower-case letters, digits, others (symbols, Chinese)
    history: int = 5  # a new password may not be one of the account's last so many (0: any)
    max_days: int = 90  # a password older than this must be changed at the next sign-in (0: never)
    change_temporary: bool = True  # a password an administrator set (new account, reset): changed at first sign-in


ACCOUNT_ROLES = ("leader", "township", "district", "admin", "sysadmin", "secadmin", "auditor")  # reform.auth.ROLES
PRIVATE_NETWORKS = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")


@dataclass(frozen=True)
class Security:
    """Accounts and sessions (``config.yaml`` → ``security``; GB/T 22239 level 2 by default)."""

    password: PasswordRule = PasswordRule()
    lock_failures: int = 5  # failed sign-ins at one name before it locks
    lock_minutes: int = 30  # how long the lock lasts (a security administrator may lift it earlier)
    idle_minutes: int = 30  # a session unused this long ends
    max_hours: int = 8  # a session ends this long after signing in, used or not
    admin_networks: tuple[str, ...] = PRIVATE_NETWORKS  # where administrators may sign in from (CIDR)
    separate_admins: bool = False  # 三员分立: no combined "admin" account is made (config.yaml of a new install: true)
    second_factor: tuple[str, ...] = ()  # roles that also give a one-time code at sign-in (level 3: the administrators)
