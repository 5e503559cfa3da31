"""Every object the sandbox holds, who owns it, and one lock around all of it.

An object's owner is the connected account it lives on (``acct_...``), or ``None`` for the
platform. Callers take :attr:`Store.lock` around a whole operation (read, decide, write), so
each API call is atomic. With a state file, :meth:`Store.save` writes everything as JSON
(atomically: a temp file renamed over the old one) after each change.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger("stripe_sandbox.store")

STATE_FORMAT = 1
_ANY = object()


class Store:
    def __init__(self, state_path: str | Path | None = None) -> None:
        self.lock = threading.RLock()
        self.state_path = Path(state_path) if state_path else None
        self.objects: dict[str, dict[str, Any]] = {}
        self.owner: dict[str, str | None] = {}
        # Per-object state that is not part of Stripe's object (line items, link tokens, ...).
        self.internal: dict[str, dict[str, Any]] = {}
        self.order: dict[str, list[str]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.clock_offset = 0.0
        # What the clock makes happen (bank debits settling, ...): {"at", "action", "data"}.
        self.scheduled: list[dict[str, Any]] = []
        # The mode of the request being served: new objects carry it in ``livemode``.
        self.livemode = False
        self.dirty = False

    # Objects ---------------------------------------------------------------------------

    def add(
        self, obj: dict[str, Any], owner: str | None, internal: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        object_id = obj["id"]
        if "livemode" in obj:
            obj["livemode"] = self.livemode
        self.objects[object_id] = obj
        self.owner[object_id] = owner
        self.internal[object_id] = internal or {}
        self.order.setdefault(obj["object"], []).append(object_id)
        self.dirty = True
        return obj

    def get(self, object_id: str, kind: str | None = None) -> dict[str, Any] | None:
        obj = self.objects.get(object_id)
        if obj is None or (kind is not None and obj.get("object") != kind):
            return None
        return obj

    def get_owned(self, object_id: str, kind: str, owner: str | None) -> dict[str, Any] | None:
        """The object if it is of ``kind`` and lives on ``owner`` (scoping like Stripe's)."""
        obj = self.get(object_id, kind)
        if obj is None or self.owner.get(object_id) != owner:
            return None
        return obj

    def internal_of(self, object_id: str) -> dict[str, Any]:
        return self.internal.setdefault(object_id, {})

    def of_kind(
        self,
        kind: str,
        owner: Any = _ANY,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Objects of ``kind`` in creation order, optionally only ``owner``'s and matching."""
        found = []
        for object_id in self.order.get(kind, []):
            if owner is not _ANY and self.owner.get(object_id) != owner:
                continue
            obj = self.objects[object_id]
            if where is None or where(obj):
                found.append(obj)
        return found

    def touch(self) -> None:
        self.dirty = True

    def counts(self) -> dict[str, int]:
        return {kind: len(ids) for kind, ids in sorted(self.order.items())}

    # State -----------------------------------------------------------------------------

    def clear(self) -> None:
        self.objects.clear()
        self.owner.clear()
        self.internal.clear()
        self.order.clear()
        self.idempotency.clear()
        self.scheduled.clear()
        self.clock_offset = 0.0
        self.dirty = True

    def snapshot(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "objects": [
                {"object": self.objects[i], "owner": self.owner[i], "internal": self.internal[i]}
                for kind_ids in self.order.values()
                for i in kind_ids
            ],
            "idempotency": self.idempotency,
            "clock_offset": self.clock_offset,
            "scheduled": self.scheduled,
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.clear()
        for row in state.get("objects", []):
            obj = row["object"]
            mode = obj.get("livemode")
            self.add(obj, row.get("owner"), row.get("internal") or {})
            if mode is not None:
                obj["livemode"] = mode
        self.idempotency.update(state.get("idempotency") or {})
        self.clock_offset = float(state.get("clock_offset") or 0.0)
        self.scheduled = list(state.get("scheduled") or [])
        self.dirty = False

    def load(self) -> bool:
        """Load the state file if there is one; ``True`` when something was loaded."""
        if self.state_path is None or not self.state_path.exists():
            return False
        with self.state_path.open(encoding="utf-8") as handle:
            state = json.load(handle)
        if state.get("format") != STATE_FORMAT:
            logger.warning("ignoring %s: unknown state format", self.state_path)
            return False
        with self.lock:
            self.restore(state)
        return True

    def save(self, force: bool = False) -> None:
        """Write the state file (atomically) if anything changed since the last save."""
        if self.state_path is None:
            self.dirty = False
            return
        with self.lock:
            if not (self.dirty or force):
                return
            text = json.dumps(self.snapshot(), separators=(",", ":"))
            directory = self.state_path.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".stripe-sandbox-", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.state_path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.dirty = False


def clone(value: Any) -> Any:
    """A deep copy, so answers never share structure with stored objects."""
    return copy.deepcopy(value)


def ids(objects: Iterable[dict[str, Any]]) -> list[str]:
    return [o["id"] for o in objects]
