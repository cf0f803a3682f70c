"""The conformance matrix is a table of clauses, one check each: ids are unique, rows follow the table,
and a clause whose evidence kind is absent has no row."""

from safecorpus.report.clauses import MAN, NA, Clause, Outcome
from safecorpus.report.conformance import CLAUSES, matrix, tally


def bare_doc() -> dict:
    """A report document with no registry, IP scan, audit, review, model test or banks."""
    return {
        "scope": {
            "thresholds": {
                "max_violation_rate": 0.05,
                "technical_fraction": 0.1,
                "manual_min_items": 4000,
                "manual_min_clean_rate": 0.96,
            },
            "detectors": ["keyword@3"],
        },
        "sources": [{"name": "web", "verdict": "pass"}],
        "registry": {"sources": [], "nonconformances": []},
        "diversity": {
            "cells": [],
            "origin": {"within_cap": True, "foreign_share": 0.0, "max_foreign_share": 0.5},
        },
        "ip": {"scan": None, "licences": [], "opt_outs": []},
        "personal_information": {"pii_in_decision": False, "sampled_records_with_pi_violation": 0},
        "provenance_audit": None,
        "lexicon_coverage": None,
        "classifier_coverage": {"covered": ["A.1.1"], "not_covered": [], "data_risks": 1},
        "technical_sample": None,
        "model_test": None,
    }


def test_clause_ids_are_unique_and_every_entry_has_a_check():
    ids = [c.id for c in CLAUSES]
    assert len(ids) == len(set(ids)) == 40
    assert all(callable(c.check) and c.title[0] and c.title[1] for c in CLAUSES)


def test_rows_follow_the_table_and_absent_evidence_has_no_row():
    rows = matrix(bare_doc())
    ids = [r["clause"] for r in rows]
    assert ids == [c.id for c in CLAUSES if c.id in set(ids)]
    absent = {c.id for c in CLAUSES} - set(ids)
    assert absent == {
        "GB/T 45652 7.1.b",  # no registry: the TC260 5.1.c rows ask for one instead
        "TC260-003 5.2.b.6",  # no IP scan
        "GB/T 45652 8.2.2",  # no audit
        "TC260-003 8.2.a–b",  # no question banks
        "TC260-003 8.3.a",
        "TC260-003 8.3.b",
        "TC260-003 8.2.d, 8.3.d",
    }
    by_id = {r["clause"]: r for r in rows}
    assert by_id["TC260-003 5.1.c.3"]["title"]["en"] == "Source traceability records"
    assert by_id["TC260-003 9.2.a"]["title"]["en"] == "Manual sample ≥4000, ≥96.0% clean"
    assert tally(rows)[MAN] == sum(r["status"] == MAN for r in rows) > 0


def test_a_clause_is_one_check():
    clause = Clause("X 1", ("Title", "标题"), lambda doc: Outcome(NA, "why", "原因") if doc["n"] else None)
    assert clause.row({"n": 0}) is None
    assert clause.row({"n": 1}) == {
        "clause": "X 1",
        "title": {"en": "Title", "zh": "标题"},
        "status": NA,
        "evidence": {"en": "why", "zh": "原因"},
    }
