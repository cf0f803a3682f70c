"""The one atomic writer: whole files or none, old content kept on failure, no temp files left."""

from pathlib import Path

import pytest

from safecorpus.io.atomic import atomic_writer, temp_name, write_atomic


def test_write_atomic_creates_parents_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "bank.jsonl"
    target.write_bytes(b"old\n")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank.jsonl"]


def test_nothing_is_visible_before_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "shard.jsonl"
    with atomic_writer(target) as fh:
        fh.write(b"x")
        assert not target.exists()
        [tmp] = list(tmp_path.iterdir())
        assert tmp.name.startswith(".shard.jsonl.tmp-")
    assert target.read_bytes() == b"x"


def test_temp_names_are_hidden_and_unique() -> None:
    names = {temp_name("m.json") for _ in range(100)}
    assert len(names) == 100
    assert all(n.startswith(".m.json.tmp-") for n in names)
