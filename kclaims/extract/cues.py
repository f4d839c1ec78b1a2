"""The tables `kclaims extract` scores sentences with: cue phrases and their weights, the
boilerplate it never proposes, and the thresholds. docs/extract.md explains them.

Everything here is data, so a reader can check why a sentence was (or was not) proposed: a
sentence's score is the sum of the weights of the cues that fired, and each proposal lists them.

Phrases are matched on whole words after light stemming (see `extract.stem`), so "promote"
also matches "promotes", "promoted" and "promoting", and "block" matches "blocking".
"""

from __future__ import annotations

# --- what makes a sentence a claim ------------------------------------------------------------

# (group, weight, kind it hints at or None, phrases). A sentence scores each group once: the
# weight counts if any phrase of the group is in it, and every phrase that fired is listed.
CUE_GROUPS: tuple[tuple[str, float, str | None, tuple[str, ...]], ...] = (
    # Reports of findings: the article says something was shown, found, linked or studied.
    ("evidence", 1.5, None, (
        "has been shown", "have been shown", "been shown to", "has shown", "have shown", "shown to",
        "show promise", "has demonstrated", "have demonstrated", "demonstrated", "has been found",
        "been found to", "found that", "research suggests", "studies suggest", "research shows",
        "studies show", "research has shown", "research has indicated", "evidence suggests",
        "clinical trials", "clinical trial", "study", "studies", "research", "evidence",
        "has been linked", "linked to", "associated with", "implicated in", "according to",
        "has emerged as", "proven", "experience", "researchers", "scientists", "neuroscientists", "experts",
    )),
    # Cause and change: what leads to what, what rises or falls.
    ("causation", 1.0, None, (
        "lead to", "leads to", "leading to", "result in", "contribute to", "cause", "due to", "because",
        "responsible for", "affect", "impact", "influence", "alter", "trigger", "decline", "worsen",
        "make it", "makes it", "plays a role", "plays a crucial role", "plays a key role",
        "plays a significant role",
    )),
    # Time course: how fast, how long. Health claims are often about speed and duration.
    ("time-course", 0.75, "efficacy", (
        "rapid", "rapidly", "quick", "quickly", "fast", "fast-acting", "within hours", "within days",
        "temporary", "transient", "lasting", "long-lasting", "long-term", "short-term", "wear off",
        "onset", "immediate", "sustained",
    )),
    # Recommendations: what should or must be done, what is essential.
    ("recommendation", 1.0, None, (
        "should", "must", "is essential", "are essential", "is crucial", "is critical", "is important",
        "recommended", "needs to", "need to", "is necessary", "requires",
    )),
    # Hedges: the way health articles make claims they cannot quite back.
    ("hedge", 1.0, None, (
        "is believed", "are believed", "believed to", "believe", "is thought", "thought to",
        "appears to", "appear to", "likely", "may", "might", "could", "potential", "potentially",
        "promising", "promise", "suggest", "possibly", "seems to", "seem to",
    )),
    # Ability: "X can do Y", "X helps Y", "X allows Y".
    ("ability", 0.75, None, (
        "can", "ability to", "help", "allow", "enable", "capable of", "capabilities",
    )),
    # Effects on the body: what a drug does, the verbs of mechanism claims.
    ("mechanism", 1.0, "mechanism", (
        "block", "blocking", "antagonist", "antagonize", "antagonism", "agonist", "inhibit",
        "stimulate", "activate", "modulate", "target", "acts on", "act on", "act as", "bind",
        "promote", "enhance", "increase", "decrease", "induce", "regenerate", "reverse", "restore",
        "repair", "release", "growth", "formation", "interact", "disrupt", "interrupt", "reorganize",
        "rewire", "mechanism", "receptor",
    )),
    # Effects for the patient: the words of efficacy claims.
    ("efficacy", 1.0, "efficacy", (
        "effective", "effectiveness", "efficacy", "relief", "relieve", "alleviate", "reduce",
        "reduction", "improve", "improvement", "treat", "treatment for", "remission", "recovery",
        "benefit", "ease", "manage", "symptom", "quality of life", "respond", "response", "offer",
        "solution", "alternative",
    )),
    # Harms and precautions: the words of safety claims.
    ("safety", 1.0, "safety", (
        "side effect", "side effects", "adverse", "risk", "safe", "safety", "harm", "toxic",
        "blood pressure", "heart rate", "dissociation", "dissociative", "hallucination", "nausea",
        "dizziness", "addiction", "abuse", "dependency", "tolerance", "monitor", "supervision",
        "contraindicated", "evaluation", "consult",
    )),
    # Amounts and schedules: the words of dosing claims.
    ("dosing", 1.0, "dosing", (
        "dose", "doses", "dosing", "dosage", "infusion", "infusions", "infused", "intravenous",
        "intravenously", "intranasal", "session", "per week", "times per week", "once a week",
        "mg", "mg/kg", "minutes", "administered", "administration", "frequency",
    )),
    # Definitions and history: the words of background claims.
    ("definition", 1.0, "background", (
        "refers to", "is defined as", "defined as", "known as", "is a drug", "is a condition",
        "is a disorder", "is a mood disorder", "originally developed", "first synthesized",
        "developed as", "caused by", "characterized by", "is a model of", "also called",
    )),
)

# A sentence naming the catalog's subject ("ketamine" in the shipped catalog: a word in at least
# this share of the claim statements) is about what the catalog is about.
SUBJECT_WEIGHT = 1.5
SUBJECT_MIN_SHARE = 0.3

# Each distinct word of the catalog's own vocabulary (claim statements and topics, less the
# subject and stop words) adds this much, up to the cap: sentences about mechanisms, conditions
# and outcomes the catalog already tracks.
VOCABULARY_WEIGHT = 0.5
VOCABULARY_CAP = 2.5

# A citation marker ([1], (Cook and Wellman, 2004), a superscript) means the author backs a claim.
CITATION_WEIGHT = 1.5

# (name, weight, phrases): things that make a sentence less likely to be a claim about the subject.
PENALTIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    # Marketing voice: the clinic speaking about itself.
    ("clinic-voice", -1.5, ("we offer", "we treat", "our clinic", "our team", "our staff", "our clinical staff",
                            "our mission", "we are located", "located in", "our patients", "our practice")),
    # Signposting: the article talking about itself.
    ("signposting", -1.0, ("this article", "in this article", "we will", "we'll", "let's", "read on",
                           "delve")),
    # Advice to the reader rather than a statement about the world.
    ("advice", -0.5, ("you", "your")),
)
QUESTION_WEIGHT = -1.0

# --- what is never proposed ------------------------------------------------------------------

# Boilerplate: calls to action, share buttons, bylines, navigation and footers. A sentence with
# any of these phrases is dropped whatever else it says (matched on words, like the cues; a
# phrase without words, like "©", is matched as it is).
BOILERPLATE = (
    "click here", "request an appointment", "request appointment", "book an appointment",
    "book a consultation", "book now", "schedule a consultation", "schedule an appointment",
    "schedule your", "contact us", "call us", "call today", "reach out to us", "get in touch",
    "share now", "share this", "share on", "follow us", "subscribe", "sign up", "sign in",
    "log in", "read more", "learn more", "min read", "originally published", "followers",
    "all rights reserved", "privacy policy", "terms of use", "cookie", "copyright", "©",
    "skip to content", "table of contents", "back to top", "related posts", "leave a comment",
    "posted in", "posted by", "written by", "medically reviewed by", "newsletter",
)

# A sentence needs at least this many words; shorter lines are labels, buttons and bylines.
MIN_WORDS = 5
# A line with no sentence-ending punctuation and at most this many words is a heading.
HEADING_MAX_WORDS = 14

# --- thresholds ------------------------------------------------------------------------------

# A sentence is proposed when its score reaches this.
MIN_SCORE = 3.0
# `--apply` accepts proposals scoring at least this (unless --threshold says otherwise).
APPLY_THRESHOLD = 5.0
# A catalog claim is a proposal's match when the similarity (0-100, see `ClaimIndex.best`)
# reaches this; below it the proposal is `new`. Measured on the five seed articles with each
# article's own quotes taken out of the catalog (docs/extract.md): about one sentence in ten
# that restates no catalog claim gets a (wrong) match at this level.
MATCH_THRESHOLD = 38.0


# --- the tables as Markdown, for docs/extract.md ---------------------------------------------

DOC_START = "<!-- cue-tables: generated by `python tools/docs.py`; do not edit by hand -->"
DOC_END = "<!-- /cue-tables -->"


def cue_tables_markdown() -> str:
    """The cue, penalty and boilerplate tables as Markdown, between the docs markers."""
    rows = ["| group | weight | hints at kind | phrases |", "|---|---|---|---|"]
    rows += [f"| {name} | +{weight:g} | {kind or '-'} | {', '.join(phrases)} |"
             for name, weight, kind, phrases in CUE_GROUPS]
    rows += [f"| subject (a word in at least {SUBJECT_MIN_SHARE:.0%} of the catalog's statements) | "
             f"+{SUBJECT_WEIGHT:g} | - | e.g. ketamine |",
             f"| catalog words (statements and topics) | +{VOCABULARY_WEIGHT:g} each, at most "
             f"+{VOCABULARY_CAP:g} | - | the catalog's own vocabulary |",
             f"| citation | +{CITATION_WEIGHT:g} | - | [1], [1,2], (1–3), (Author, 2004), Author (2004), superscripts |"]
    rows += [f"| {name} | {weight:g} | - | {', '.join(phrases)} |" for name, weight, phrases in PENALTIES]
    rows.append(f"| question | {QUESTION_WEIGHT:g} | - | a sentence ending in '?' |")
    lines = [DOC_START, "", *rows, "",
             f"Never proposed (boilerplate): {', '.join(BOILERPLATE)}; sentences under {MIN_WORDS} words; "
             f"headings (no closing punctuation, at most {HEADING_MAX_WORDS} words, mostly capitalised); "
             "entries of the reference list.", "",
             f"Thresholds: a sentence is proposed at score {MIN_SCORE:g}; `--apply` accepts from "
             f"{APPLY_THRESHOLD:g}; a claim is a match from similarity {MATCH_THRESHOLD:g}.", "", DOC_END]
    return "\n".join(lines)


def render_doc(current: str) -> str:
    """`current` (docs/extract.md) with the tables between the markers replaced by fresh ones."""
    start, end = current.index(DOC_START), current.index(DOC_END) + len(DOC_END)
    return current[:start] + cue_tables_markdown() + current[end:]

