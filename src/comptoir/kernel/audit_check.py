"""Checking the audit log: walk the whole hash chain and report the first entry that breaks it.

See `comptoir.kernel.audit` for how the chain is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel.audit import GENESIS_HASH, AuditEntry, AuditProblem, hash_of
from comptoir.kernel.db import Database

_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class AuditVerification:
    """The result of walking the whole chain.

    `count` and `head_hash` always describe the whole log. Keep `head_hash` somewhere else
    (printed in a report, sent to another system, written down): it is the only way to notice
    later that the newest entries were deleted, see `verify`.
    """

    ok: bool
    count: int
    head_hash: str
    head_seq: int | None
    first_bad_seq: int | None = None
    problem: AuditProblem | None = None

    @property
    def message(self) -> str:
        """One sentence for an operator."""
        if self.ok:
            return f"The audit log is intact: {self.count} entries, head hash {self.head_hash}."
        return f"The audit log is broken at entry {self.first_bad_seq}: {self.problem}."


def verify(target: Session | Database) -> AuditVerification:
    """Walk the whole chain in `seq` order and report the first entry that does not hold.

    Detected: an edited field in any entry ("edited"), an entry deleted from the middle or the
    beginning of the log, or entries moved ("deleted or reordered", reported at the entry whose
    link no longer matches the entry before it), and a link that is not a hash at all ("broken
    link").

    Not detectable from the log alone: deleting the newest entries, since what remains is a
    valid, shorter chain. That is detected only against a head hash kept elsewhere; this is why
    the result reports `head_hash` (and `head_seq`), so operators can anchor it outside the
    database and compare later.
    """
    if isinstance(target, Session):
        return _walk(target)
    # A read-only snapshot: on SQLite a deferred BEGIN leaves writers free during the walk.
    with target.reading() as session:
        return _walk(session)


def _walk(session: Session) -> AuditVerification:
    expected_previous = GENESIS_HASH
    count = 0
    head_seq: int | None = None
    first_bad: tuple[int, AuditProblem] | None = None
    rows = session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=500)
    )
    for entry in rows:
        count += 1
        head_seq = entry.seq
        if first_bad is None:
            problem = _problem_with(entry, expected_previous)
            if problem is not None:
                first_bad = (entry.seq, problem)
        expected_previous = entry.entry_hash
        # Entries are only read: forgetting them keeps memory flat on a long log.
        session.expunge(entry)
    head_hash = expected_previous
    if first_bad is None:
        return AuditVerification(ok=True, count=count, head_hash=head_hash, head_seq=head_seq)
    return AuditVerification(
        ok=False,
        count=count,
        head_hash=head_hash,
        head_seq=head_seq,
        first_bad_seq=first_bad[0],
        problem=first_bad[1],
    )


def _problem_with(entry: AuditEntry, expected_previous: str) -> AuditProblem | None:
    if not _HEX_DIGEST.fullmatch(entry.previous_hash or ""):
        return "broken link"
    if not _HEX_DIGEST.fullmatch(entry.entry_hash or "") or hash_of(entry) != entry.entry_hash:
        return "edited"
    if entry.previous_hash != expected_previous:
        return "deleted or reordered"
    return None
