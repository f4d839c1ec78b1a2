"""What adding, refreshing or importing sources did: one outcome per identifier, page or entry."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SourceOutcome:
    """What happened to one identifier or BibTeX entry."""

    given: str                 # the identifier as normalised, or "file.bib:12 key"
    action: str                # added | merged | unchanged | updated | failed
    source_id: str | None = None
    detail: str = ""           # the reason for a failure, or what a merge or refresh changed

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class SourcesResult:
    """The outcome of `add_sources`, `refresh_sources` or `import_bibtex`."""

    outcomes: list[SourceOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    from_cache: int = 0

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {"outcomes": [o.as_dict() for o in self.outcomes], "warnings": list(self.warnings),
                "requests": self.requests, "from_cache": self.from_cache}
