"""Queues, leases, labels and reviews on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from safecorpus.errors import InputError
from safecorpus.review import queues
from safecorpus.review.models import AuditEntry, Item, Label
from safecorpus.review.queues import Conflict, NewItem, add_items, claim, submit_label, submit_review
from tests.review.conftest import make_user


def _items(n: int, queue: str = "source", source: str = "s1") -> list[NewItem]:
    return [NewItem(queue=queue, source=source, record_id=f"r{i}", text=f"text {i}") for i in range(n)]


def test_add_items_is_idempotent(engine):
    assert add_items(engine, _items(5), double_share=0.0) == (5, 0)
    assert add_items(engine, _items(6), double_share=0.0) == (1, 5)
    with pytest.raises(InputError, match="unknown queue"):
        add_items(engine, [NewItem(queue="nope", source="s", record_id="x", text="t")])


def test_double_share_selects_about_that_share(engine):
    add_items(engine, _items(400), double_share=0.25)
    with Session(engine) as s:
        doubles = s.scalar(select(func.count()).select_from(Item).where(Item.labels_needed == 2))
    assert 60 < doubles < 140


def test_lease_label_review_cycle_and_role_separation(engine):
    ann, ann2 = make_user(engine, "ann", "annotator"), make_user(engine, "bob", "annotator")
    rev = make_user(engine, "rita", "reviewer")
    add_items(engine, _items(2), double_share=0.0)
    first = claim(engine, ann, "source")
    assert claim(engine, ann, "source") == first  # the item you hold comes back
    second = claim(engine, ann2, "source")
    assert second != first
    with pytest.raises(Conflict):
        submit_label(engine, ann2, first, [])  # not your lease
    with pytest.raises(InputError, match="unknown risk"):
        submit_label(engine, ann, first, ["A.9.9"])
    item = submit_label(engine, ann, first, ["A.1.6"])
    assert item.state == "review"
    assert claim(engine, ann, "source") is None  # no label twice on the same item
    got = claim(engine, rev, "source", mode="review")
    assert got == first
    done = submit_review(engine, rev, first, ["A.1.6"])
    assert done.state == "done" and done.final_risks == ["A.1.6"]
    with Session(engine) as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action)).all()]
    assert actions.count("label") == 1 and actions.count("review") == 1


def test_nobody_reviews_their_own_label(engine):
    # A reviewer who also labelled (an account whose role changed) never gets that item to review.
    ann = make_user(engine, "ann", "annotator")
    add_items(engine, _items(1), double_share=0.0)
    iid = claim(engine, ann, "source")
    submit_label(engine, ann, iid, [])
    with Session(engine) as s:
        s.execute(text("UPDATE review_users SET role = 'reviewer' WHERE username = 'ann'"))
        s.commit()
    ann.role = "reviewer"
    assert claim(engine, ann, "source", mode="review") is None
    with Session(engine) as s:  # force the lease to test the submit-time check too
        s.execute(
            text("UPDATE review_items SET lease_user_id = :u, lease_until = '2999-01-01' WHERE id = :i"),
            {"u": ann.id, "i": iid},
        )
        s.commit()
    with pytest.raises(Conflict, match="own label"):
        submit_review(engine, ann, iid, [])


def test_double_labels_flag_disagreement(engine):
    a, b = make_user(engine, "ann", "annotator"), make_user(engine, "bob", "annotator")
    add_items(engine, _items(1), double_share=1.0)
    iid = claim(engine, a, "source")
    assert submit_label(engine, a, iid, ["A.2.4"]).state == "open"
    assert claim(engine, b, "source") == iid
    item = submit_label(engine, b, iid, [])
    assert item.state == "review" and item.disagreement


def test_skip_hands_the_item_to_someone_else(engine):
    a, b = make_user(engine, "ann", "annotator"), make_user(engine, "bob", "annotator")
    add_items(engine, _items(1), double_share=0.0)
    iid = claim(engine, a, "source")
    queues.skip(engine, a, iid)
    assert claim(engine, a, "source") is None
    assert claim(engine, b, "source") == iid


def test_audit_log_is_append_only(engine):
    add_items(engine, _items(1))
    with Session(engine) as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("UPDATE review_audit SET action = 'x'"))
        s.commit()
    with Session(engine) as s, pytest.raises(DBAPIError, match="append-only"):
        s.execute(text("DELETE FROM review_audit"))
        s.commit()


def test_concurrent_claims_never_share_an_item_and_no_label_is_lost(engine):
    users = [make_user(engine, f"u{i}", "annotator") for i in range(6)]
    add_items(engine, _items(60), double_share=0.0)
    held: dict[int, int] = {}
    clash: list[tuple[int, int, int]] = []
    lock = threading.Lock()
    submitted: list[int] = []
    errors: list[BaseException] = []

    def work(user) -> None:
        try:
            while True:
                iid = claim(engine, user, "source")
                if iid is None:
                    return
                with lock:
                    if iid in held:
                        clash.append((iid, held[iid], user.id))
                    held[iid] = user.id
                with lock:
                    del held[iid]
                submit_label(engine, user, iid, [])
                with lock:
                    submitted.append(iid)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert not clash
    with Session(engine) as s:
        stored = s.scalar(select(func.count()).select_from(Label))
    assert sorted(submitted) == sorted(set(submitted)) and len(submitted) == 60 == stored
