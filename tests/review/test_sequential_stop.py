"""The review queue stops handing out a source's items once its sequential test has decided (opt-in)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from safecorpus.assess.sequential import design_from_profile
from safecorpus.registry.db import SourceResult
from safecorpus.review.queues import NewItem, add_items, claim, submit_label, submit_review
from safecorpus.review.sequential_stop import decided_sources, ranked_ids, sequential_state
from safecorpus.taxonomy.profile import load_profile
from tests.review.conftest import make_user, stored_run

N = 120


def _seed(engine, tmp_path) -> list[str]:
    """Source ``web`` with an ids file of N records (hash rank differs from id order) and source ``other``."""
    rows = sorted(
        ((hashlib.sha256(f"k{i}".encode()).hexdigest()[:16], f"w{i}") for i in range(N)), reverse=True
    )
    path = tmp_path / "web.ids.tsv"
    path.write_text(
        "# source: web\nhash\tid\tviolation\trisks\tlayers\n" + "".join(f"{h}\t{r}\t0\t\t\n" for h, r in rows)
    )
    with Session(engine) as s:
        s.add(stored_run("run1", N, N))
        s.add(
            SourceResult(
                run_id="run1",
                name="web",
                read=N,
                rejected=0,
                sampled=N,
                violations=0,
                rate=0.0,
                ci_low=0.0,
                ci_high=0.03,
                census=1,
                verdict="pass",
                needed_sample_size=None,
                top_risks=[],
                layers={},
                sampled_ids_file=str(path),
            )
        )
        s.commit()  # fmt: skip
    ranked = ranked_ids(path)
    assert ranked != [f"w{i}" for i in range(N)]  # the rank order is not the corpus order
    add_items(engine, [NewItem("source", "web", rid, "t", run_id="run1") for rid in ranked], double_share=0)
    add_items(engine, [NewItem("source", "other", f"o{i}", "t") for i in range(3)], double_share=0)
    return ranked


def test_queue_stops_once_the_design_decides(engine, tmp_path):
    _seed(engine, tmp_path)
    design = design_from_profile(load_profile())
    first_pass = next(n for n in range(1, N + 1) if design.decide(n, 0))
    assert first_pass < N
    ann, rev = make_user(engine, "ann", "annotator"), make_user(engine, "rita", "reviewer")
    reviewed = 0
    while "web" not in decided_sources(engine, design):
        iid = claim(engine, ann, "source", exclude_sources=decided_sources(engine, design))
        submit_label(engine, ann, iid, [])
        submit_review(engine, rev, claim(engine, rev, "source", mode="review"), [])
        reviewed += 1
        assert reviewed <= first_pass
    assert reviewed == first_pass  # items are added in rank order, so none is skipped over
    state = sequential_state(engine, "web", design)
    assert state["verdict"] == "pass" and state["items_used"] == first_pass
    served = set()
    while (iid := claim(engine, ann, "source", exclude_sources=decided_sources(engine, design))) is not None:
        submit_label(engine, ann, iid, [])
        served.add(iid)
    assert len(served) == 3  # only the other source's items; web's remaining ones are held back
    assert claim(engine, ann, "source") is not None  # without the flag they are served as before


def test_a_gap_in_rank_order_holds_the_test(engine, tmp_path):
    _seed(engine, tmp_path)
    design = design_from_profile(load_profile())
    ann, bob = make_user(engine, "ann", "annotator"), make_user(engine, "bob", "annotator")
    rev = make_user(engine, "rita", "reviewer")
    first = claim(engine, ann, "source")  # rank 1, held but not yet labelled
    second = claim(engine, bob, "source")  # rank 2
    submit_label(engine, bob, second, [])
    submit_review(engine, rev, claim(engine, rev, "source", mode="review"), [])
    assert sequential_state(engine, "web", design)["items_used"] == 0  # waits for rank 1
    submit_label(engine, ann, first, ["A.1.6"])
    submit_review(engine, rev, claim(engine, rev, "source", mode="review"), ["A.1.6"])
    state = sequential_state(engine, "web", design)
    assert (state["items_used"], state["violations"], state["decided"]) == (2, 1, False)
