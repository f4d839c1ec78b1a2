"""The words a catalog and its commands accept: kinds, stances, verdicts, certainties, sort keys.

One tuple each, imported by the model that validates files, the core that computes, and the
command line that offers them as choices. No imports: the command line reads these at start-up.
"""

CLAIM_KINDS = ("mechanism", "efficacy", "safety", "dosing", "background")
STANCES = ("supports", "contradicts", "mentions")
POPULATIONS = ("human", "animal", "in-vitro", "mixed", "unknown")
SOURCE_KINDS = ("journal-article", "web-article", "book", "book-chapter", "report", "preprint", "thesis",
                "dataset", "other")

# Rubric 2 (docs/evidence.md): which way the counted evidence points, and GRADE's certainty, best first.
VERDICTS = ("supported", "contradicted", "conflicting", "no-evidence-found", "not-assessed")
CERTAINTIES = ("high", "moderate", "low", "very-low")
RISKS_OF_BIAS = ("low", "some", "high")
INDIRECTNESS = ("population", "intervention", "comparator", "outcome")
# Rubric 1's labels: still read in an old curator `grade`, which `kclaims check` asks to update.
RUBRIC1_LABELS = ("strong", "moderate", "limited", "preliminary", "contested", "contradicted", "unsupported")

SORT_KEYS = ("catalog", "id", "strength", "kind", "articles", "papers", "statement")
ARTICLE_FORMATS = ("auto", "text", "markdown", "html")
