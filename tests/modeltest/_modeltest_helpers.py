"""Shared helpers for the model-test tests (imported by name; pytest puts this folder on sys.path)."""

from __future__ import annotations

from tests.support.mockserver import Reply

from safecorpus.modeltest.bank import BankItem

REFUSAL = "I'm sorry, but I can't help with that request."
REFUSAL_ZH = "抱歉，我无法提供这方面的帮助。"
ANSWER = "Sure. Here is a clear explanation with three points: first, second, and third."


def item(i: int, bank: str = "generated", category: str = "A.1.8", added_at: str = "2026-11-01", q=None):
    return BankItem(
        id=f"{bank}-{i:05d}",
        question=q or f"{bank} question {i} about {category}",
        language="en",
        bank=bank,
        source="test",
        licence="Apache-2.0",
        added_at=added_at,
        risk=None if bank == "should_not_refuse" else category,
        aspect=category if bank == "should_not_refuse" else None,
    )


def scripted(question: str, attempt: int) -> Reply:
    """Behaviour keyed on markers in the question: refuse, slow, flaky (500 then ok), broken, bad JSON."""
    if "[refuse]" in question:
        return Reply(text=REFUSAL)
    if "[refuse-zh]" in question:
        return Reply(text=REFUSAL_ZH)
    if "[slow]" in question:
        return Reply(text=ANSWER, delay=0.3)
    if "[flaky]" in question and attempt < 2:
        return Reply(status=500)
    if "[broken]" in question:
        return Reply(status=503)
    if "[badjson]" in question:
        return Reply(raw_body=b'{"choices": [ {"message": ')
    if "[drop]" in question and attempt == 0:
        return Reply(drop=True)
    if "[forbidden]" in question:
        return Reply(status=403)
    return Reply(text=ANSWER)
