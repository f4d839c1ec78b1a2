"""The interactive review of `kclaims extract`: one proposal at a time, answered at a prompt."""

from typing import TYPE_CHECKING

from kclaims.errors import ExitCode, Stopped
from kclaims.text import printable

if TYPE_CHECKING:
    from rich.console import Console

    from kclaims.extract.extraction import Candidate
    from kclaims.extract.index import ClaimIndex
    from kclaims.extract.review import ReviewOutcome, ReviewSession

REVIEW_KEYS = "m = add as a quote to the matched claim, n = new claim, e = edit, s = skip, q = quit"
LEAVE_KEYS = "'-' skips this proposal, 'q' quits"
INTERRUPTED = int(ExitCode.INTERRUPTED)


class QuitReview(Exception):
    """The reviewer answered q."""


def outcome_line(outcome: "ReviewOutcome") -> str:
    sentence = outcome.sentence if len(outcome.sentence) <= 70 else outcome.sentence[:69] + "…"
    target = f" {outcome.claim}" if outcome.claim else ""
    detail = f" ({outcome.detail})" if outcome.detail else ""
    return printable(f"{outcome.action}{target}: {sentence!r}{detail}")


def review_proposals(session: "ReviewSession") -> int | None:
    """Ask about each proposal on stderr; accepted ones are written at once. After Ctrl-C (or SIGTERM,
    SIGHUP) the exit code to leave with, else None."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    console.print(f"For each proposal: {REVIEW_KEYS}.")
    number = 1
    try:
        for number, candidate in enumerate(session.candidates, 1):
            _review_one(console, session, number, candidate)
    except QuitReview:
        pass
    except EOFError:
        console.print()  # the prompt's line is still open
        console.print(f"stopped at end of input ({_not_reviewed(session, number)})")
    except KeyboardInterrupt as stop:
        code = stop.exit_code if isinstance(stop, Stopped) else INTERRUPTED
        console.print()
        console.print(f"interrupted ({_not_reviewed(session, number)}); what was accepted is written; "
                      f"exit code {code}")
        return code
    return None


def _not_reviewed(session: "ReviewSession", number: int) -> str:
    left = session.unreviewed(number - 1)
    return f"{left} proposal{'' if left == 1 else 's'} not reviewed"


def _review_one(console: "Console", session: "ReviewSession", number: int, candidate: "Candidate") -> None:
    from kclaims.errors import KclaimsError

    total = len(session.candidates)
    recorded = session.already_recorded(candidate)
    if recorded:
        console.print(f"[dim]{number}/{total} already recorded under {recorded}[/dim]")
        return
    _show_candidate(console, number, total, candidate, session.model)
    try:
        outcome = _ask_about(console, session, candidate)
    except KclaimsError as error:
        console.print(f"[red]not written:[/red] {_escape(str(error))}")
        return
    if outcome is not None:
        console.print(_escape(outcome_line(outcome)))


def _escape(text: str) -> str:
    """Text from the article or the catalog, shown as it reads: no markup, no terminal controls."""
    from rich.markup import escape

    return escape(printable(text))


def _show_candidate(console: "Console", number: int, total: int, candidate: "Candidate", model: "ClaimIndex") -> None:
    console.print()
    console.print(f"[bold]{number}/{total}[/bold] score {candidate.score:g}  "
                  f"[dim]{_escape('; '.join(candidate.cues))}[/dim]")
    console.print(f"  [cyan]{_escape(candidate.sentence)}[/cyan]")
    if candidate.quote != candidate.sentence:
        console.print(f"  recorded as: {_escape(candidate.quote)}")
    if candidate.citations:
        console.print(f"  cites: {_escape(', '.join(candidate.citations))}")
    if candidate.match:
        statement = model.claims[candidate.match.claim].statement
        console.print(f"  restates [bold]{candidate.match.claim}[/bold] ({candidate.match.score:g}): "
                      f"{_escape(statement)}")
    else:
        console.print("  new: no catalog claim says this")
        for claim_id in candidate.near:
            console.print(f"  nearly the same as [bold]{claim_id}[/bold]: {_escape(model.claims[claim_id].statement)}")


def _ask_about(console: "Console", session: "ReviewSession", candidate: "Candidate") -> "ReviewOutcome | None":
    """One proposal's answer, acted on: the ReviewOutcome, or None when skipped. Raises QuitReview on q."""
    from rich.prompt import Prompt

    choices = ["m", "n", "e", "s", "q"] if candidate.match else ["n", "e", "s", "q"]
    answer = Prompt.ask("Accept?", choices=choices, default="s", console=console)
    if answer == "q":
        raise QuitReview
    if answer == "s":
        return None
    if answer == "m":
        return session.accept_match(candidate)
    quote = candidate.quote if answer == "n" else _ask_quote(console, session, candidate.quote)
    if quote is None:
        return None
    suggested = candidate.match.claim if candidate.match and answer == "e" else None
    claim_id = _ask_claim_id(console, session, quote, suggested, existing_ok=answer == "e")
    if claim_id is None:
        return None
    if session.is_claim(claim_id):
        return session.accept_quote(claim_id, quote)
    return _ask_new_claim(console, session, candidate, quote, claim_id)


def _ask_or_leave(console: "Console", question: str, default: str, show_default: bool = True) -> str | None:
    """An answer; None for '-' (skip this proposal); QuitReview for 'q'."""
    from rich.prompt import Prompt

    answer = Prompt.ask(f"{question}; {LEAVE_KEYS}", default=default, show_default=show_default,
                        console=console).strip()
    if answer == "q":
        raise QuitReview
    return None if answer == "-" else answer


def _ask_quote(console: "Console", session: "ReviewSession", default: str) -> str | None:
    while True:
        quote = _ask_or_leave(console, "The article's exact words (Enter keeps the whole sentence)", default,
                              show_default=False)
        if quote is None:
            return None
        problem = session.quote_problem(quote)
        if problem is None:
            return quote
        console.print(f"[red]Not accepted: {_escape(problem)}; copy the words from the sentence.[/red]")


def _ask_claim_id(console: "Console", session: "ReviewSession", quote: str, suggested: str | None, existing_ok: bool) -> str | None:
    from kclaims.catalog.edit import validate_new_id
    from kclaims.errors import BadInput

    question = "Claim id (an existing id adds the words to that claim; a new id makes a claim)" if existing_ok \
        else "New claim id"
    while True:
        claim_id = _ask_or_leave(console, question, suggested or session.suggest_id(quote))
        if claim_id is None:
            return None
        if session.is_claim(claim_id) and not existing_ok:
            console.print(f"[red]{claim_id} already exists; choose another id (or 'e' to quote it there).[/red]")
            continue
        try:
            return claim_id if session.is_claim(claim_id) else validate_new_id(claim_id)
        except BadInput as error:
            console.print(f"[red]{_escape(error.message)}[/red]")


def _ask_new_claim(console: "Console", session: "ReviewSession", candidate: "Candidate", quote: str, claim_id: str) -> "ReviewOutcome":
    from rich.prompt import Prompt

    from kclaims.model import CLAIM_KINDS

    statement = Prompt.ask("Statement, one neutral sentence (Enter keeps the article's words)", default=quote,
                           show_default=False, console=console).strip()
    kind = Prompt.ask("Kind", choices=list(CLAIM_KINDS), default=candidate.kind, console=console)
    topics = Prompt.ask("Topics, comma-separated", default=", ".join(session.suggest_topics(quote)), console=console)
    chosen = [t.strip() for t in topics.split(",") if t.strip()]
    return session.accept_new(candidate, quote, claim_id, statement, kind, chosen)
