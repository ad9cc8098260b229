"""Per-input seed rules: how an issuer derives each input's recorded seed from the run's one base seed.

A certificate names its rule in ``sampler.seed_rule``; the verifier recomputes every entry's seed from
``sampler.base_seed`` and the entry id. A rule fixed before sampling means that no single input's seed can be
re-drawn after its counts were seen ("seed shopping", which voids the per-input α): only the whole run's
``base_seed`` could be, and every input's counts then move together.

Rule :data:`SEED_RULE` (``certs-sha256-index-v1``, what ``certs certify`` writes): ``index`` is the decimal
integer after the last ``:`` of the entry id (``digits-test:17`` → 17); the seed is the first 8 bytes,
little-endian, of ``sha256("certs-seed:{base_seed}:{index}")`` with the top bit cleared (so ``< 2**63``).
Distinct indices give distinct seeds except with probability about ``m² / 2**64``.
"""

from __future__ import annotations

import hashlib
import re

SEED_RULE = "certs-sha256-index-v1"
KNOWN_SEED_RULES = frozenset({SEED_RULE})

_INDEX = re.compile(r":(0|[1-9][0-9]{0,18})\Z")


def seed_for(base_seed: int, index: int) -> int:
    """The seed rule :data:`SEED_RULE` gives input ``index`` of a run with ``base_seed`` (< 2**63)."""
    digest = hashlib.sha256(f"certs-seed:{base_seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def entry_index(entry_id: str) -> int | None:
    """The input index an entry id ends in (``name:17`` → 17), or None if it ends in no canonical integer."""
    m = _INDEX.search(entry_id)
    return int(m.group(1)) if m else None


def expected_seed(rule: str, base_seed: int, entry_id: str) -> int | None:
    """The seed ``rule`` gives the entry ``entry_id``; None when the id carries no index.

    Raises ``ValueError`` for a rule not in :data:`KNOWN_SEED_RULES`.
    """
    if rule != SEED_RULE:
        raise ValueError(f"unknown seed rule {rule!r} (known: {', '.join(sorted(KNOWN_SEED_RULES))})")
    index = entry_index(entry_id)
    return None if index is None else seed_for(base_seed, index)
