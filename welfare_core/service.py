"""The only door for pages and the command line: every use case, reads included. Each write
resolves the caller's code first and checks what it allows. The use cases are grouped in parts:
participation.py (the participants' writes), facilitation.py (the facilitator's actions),
page_reads.py (what the screens read); this file makes the workshop and signs people in."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from welfare_core import codes, lookups, rules
from welfare_core.backup import Backups, backup_dir
from welfare_core.db.store import Store
from welfare_core.db.writes import Tx
from welfare_core.errors import InvalidInput, NotAllowed
from welfare_core.facilitation import FacilitatorActions, import_rows
from welfare_core.model import Actor, Caller, CreatedWorkshop, Group, RosterRow, Template, Workshop
from welfare_core.page_reads import PageReads
from welfare_core.participation import ParticipantWrites
from welfare_core.roster import districts_in, read_roster


class WorkshopService(ParticipantWrites, FacilitatorActions, PageReads):
    def __init__(self, store: Store, backups: Backups | None = None) -> None:
        """``backups`` defaults to snapshots in the folder named by ``backup_dir``, taken on
        lock and on demand; the app starts its periodic ones too."""
        self.store = store
        self.backups = backups or Backups(store, backup_dir(store.path))
        # Appends never conflict in DuckDB, so a check-then-append (the dot limit) is made
        # atomic here; one process holds the file, so a process lock is enough.
        self._check_then_append = threading.Lock()
        # Facts that never change once written, remembered so the busiest writes (ratings and
        # new ideas) skip their reads: the group a join code opens, where a fund belongs, and a
        # workshop's plan areas. Only valid codes are remembered; facilitator tokens expire.
        self._group_actors: dict[str, Actor] = {}
        self._fund_places: dict[int, tuple[int, int]] = {}
        self._area_keys: dict[int, frozenset[str]] = {}

    @classmethod
    def open(cls, path: str | Path) -> WorkshopService:
        """The app's service on the database file at ``path`` (made when it is missing)."""
        return cls(Store(path))

    # --- workshops and sign-in ----------------------------------------------------------------

    def create_workshop(
        self,
        template: Template,
        roster: list[RosterRow] | None = None,
        passcode: str | None = None,
        is_sample: bool = False,
        dots_per_group: int = 5,
        slug_base: str | None = None,
    ) -> CreatedWorkshop:
        """Create a workshop, its groups (with join codes) and its funds, in one transaction.

        The slug is ``slug_base`` (default: the template's file name), with -2, -3, ...
        added when it is taken.
        """
        if template.groups_from_roster and not roster:
            raise InvalidInput("template.needs_roster", file=template.source)
        if passcode is not None and len(passcode) < codes.PASSCODE_MIN_LENGTH:
            raise InvalidInput("error.short_passcode", length=codes.PASSCODE_MIN_LENGTH)
        passcode = passcode or codes.new_passcode()
        salt, digest = codes.hash_passcode(passcode)
        specs = districts_in(roster) if template.groups_from_roster else list(template.groups)

        def work(q: Tx) -> CreatedWorkshop:
            chosen = _free_slug(q, slug_base or Path(template.source).stem)
            wid = q.insert_workshop(template, chosen, salt, digest, is_sample, dots_per_group)
            for position, spec in enumerate(specs, start=1):
                q.insert_group(wid, position, spec, _free_join_code(q))
            for level in template.grades:
                q.insert_grade_level(wid, level)
            for position, area in enumerate(template.areas, start=1):
                q.insert_area(wid, position, area)
            added, _ = import_rows(q, wid, roster or [], is_sample)
            return CreatedWorkshop(chosen, passcode, tuple(q.groups(wid)), added)

        return self.store.write(work)

    def create_from_template(
        self,
        template: Template,
        roster: tuple[str, bytes] | None = None,
        passcode: str | None = None,
    ) -> CreatedWorkshop:
        """Create a workshop from a template and a roster file (name, bytes).

        Without a roster the template's own roster is used, marked as sample data when the
        template says it is.
        """
        sample = roster is None and template.roster_is_sample
        if roster is None and template.roster_path:
            roster = (template.roster_path, Path(template.roster_path).read_bytes())
        rows = None
        if roster is not None:
            groups = None if template.groups_from_roster else list(template.groups)
            rows = read_roster(roster[1], roster[0], groups)
        return self.create_workshop(template, rows, passcode=passcode, is_sample=sample)

    def new_workshop(
        self,
        caller: Caller,
        template: Template,
        roster: tuple[str, bytes] | None = None,
        passcode: str | None = None,
    ) -> CreatedWorkshop:
        """``create_from_template`` for the set-up page: a signed-in facilitator (of any
        workshop) starts a new one. The command line, which owns the file, needs no caller."""
        rules.check_facilitator(self.actor(caller.token))
        return self.create_from_template(template, roster, passcode)

    def join(self, code: str) -> tuple[Workshop, Group]:
        """The group (and its workshop) that a typed or linked join code opens."""
        with self.store.reading() as snap:
            group = snap.group_by_code(codes.normalise_code(code or ""))
            workshop = group and snap.workshop_by_id(group.workshop_id)
        if group is None:
            thai = codes.typed_in_thai(code or "")  # a key the layout map could not read back
            raise NotAllowed("error.bad_code_thai_keyboard" if thai else "error.bad_code")
        return workshop, group

    def facilitated(self, token: str) -> Workshop:
        """The workshop a facilitator token signs in to; NotAllowed once it has expired."""
        actor = self.actor(token)
        rules.check_facilitator(actor)
        with self.store.reading() as snap:
            return snap.workshop_by_id(actor.workshop_id)

    def sign_in(self, slug: str, passcode: str) -> str:
        """Check the facilitator passcode; returns a token to pass as ``Caller.token``."""
        workshop = self.workshop(slug)
        with self.store.reading() as snap:
            salt, digest = snap.passcode_of(workshop.id)
        if not codes.passcode_matches(passcode, salt, digest):
            raise NotAllowed("error.bad_passcode")
        return self._new_session(workshop.id)

    def owner_token(self, slug: str) -> str:
        """A facilitator token without the passcode, for the command line only.

        Whoever can open the database file owns it anyway; pages must never call this
        (a test checks that they do not).
        """
        return self._new_session(self.workshop(slug).id)

    def _new_session(self, workshop_id: int) -> str:
        token = codes.new_token()
        self.store.write(lambda q: q.insert_session(codes.token_digest(token), workshop_id))
        return token

    def actor(self, token: str) -> Actor:
        """Who holds this join code or facilitator token; NotAllowed when nobody does."""
        with self.store.reading() as snap:
            return lookups.actor_of(snap, token)


def _free_slug(q: Tx, stem: str) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-")[:50] or "workshop"
    slug, n = base, 1
    while q.slug_taken(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _free_join_code(q: Tx) -> str:
    while q.join_code_taken(code := codes.new_join_code()):
        pass
    return code
