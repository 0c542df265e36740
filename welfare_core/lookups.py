"""What a write must know from the database before the rules can judge it: who holds a code,
which group a write is for, whether an idea is live and may be changed. The rules themselves are
pure (rules.py); these read a Snapshot (or the Tx of the write) and ask them."""

from __future__ import annotations

from welfare_core import codes, rules
from welfare_core.db.reads import Snapshot
from welfare_core.errors import NotAllowed, NotFound
from welfare_core.model import Actor, Caller, IdeaInput, StoredIdea
from welfare_core.text import MAX_NAME


def actor_of(q: Snapshot, token: str) -> Actor:
    """Who holds this join code or facilitator token; NotAllowed when nobody does."""
    token = token or ""
    found = q.who(codes.normalise_code(token), codes.token_digest(token))
    if found is None:
        raise NotAllowed("error.bad_code")
    return found


def acting_group(q: Snapshot, actor: Actor, group_id: int | None) -> int:
    """The group a write is for: the caller's own, or the one a facilitator names."""
    if group_id is None or group_id == actor.group_id:
        if actor.group_id is None:
            raise NotFound("error.no_group")
        return actor.group_id
    rules.check_group(actor, group_id)
    if group_id not in {g.id for g in q.groups(actor.workshop_id)}:
        raise NotFound("error.no_group")
    return group_id


def live_idea(q: Snapshot, actor: Actor, idea_id: int) -> StoredIdea:
    """The idea, if it is in the actor's workshop, not withdrawn and not merged away."""
    current = q.current_idea(idea_id)
    if current is None or current.workshop_id != actor.workshop_id or current.withdrawn:
        raise NotFound("error.no_idea")
    if q.merged_into(idea_id) is not None:
        raise NotFound("error.idea_merged")
    return current


def editable_idea(q: Snapshot, actor: Actor, idea_id: int) -> tuple[int, IdeaInput]:
    """The group and content of a live idea the actor may change (see rules)."""
    current = live_idea(q, actor, idea_id)
    in_plenary = bool(q.ideas_merged_into(actor.workshop_id, idea_id)) or (
        idea_id in q.adopted_ideas(actor.workshop_id)
    )
    rules.check_idea_editable(actor, current.group_id, in_plenary)
    return current.group_id, current.content


def clean_caller(caller: Caller) -> Caller:
    return Caller(
        caller.token,
        rules.text(caller.device, MAX_NAME, "field.device") or "unknown",
        rules.text(caller.name, MAX_NAME, "field.author"),
        rules.text(caller.press, MAX_NAME, "field.device"),
    )
