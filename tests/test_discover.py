"""Discovery expands folders recursively, once per file, with clients from folders."""

from __future__ import annotations

from flows.discover import discover, missing_paths


def _tree(tmp_path):
    (tmp_path / "acme" / "deep").mkdir(parents=True)
    (tmp_path / "beta").mkdir()
    for rel in ["acme/a.pdf", "acme/deep/b.png", "beta/c.pdf", "top.pdf", ".hidden.pdf",
                "acme/~$lock.docx"]:
        (tmp_path / rel).write_bytes(b"x")
    return tmp_path


def test_folders_are_walked_recursively_skipping_hidden_and_lock_files(tmp_path):
    names = sorted(i.source.rsplit("/", 1)[-1] for i in discover([str(_tree(tmp_path))]))
    assert names == ["a.pdf", "b.png", "c.pdf", "top.pdf"]


def test_a_file_given_twice_is_listed_once(tmp_path):
    root = _tree(tmp_path)
    items = discover([str(root / "top.pdf"), str(root), str(root / "top.pdf")])
    assert [i.source for i in items].count(str(root / "top.pdf")) == 1
    assert len(items) == 4


def test_per_client_folders(tmp_path):
    items = discover([str(_tree(tmp_path))], per_client_folders=True)
    clients = {i.source.rsplit("/", 1)[-1]: i.client for i in items}
    assert clients == {"a.pdf": "acme", "b.png": "acme", "c.pdf": "beta", "top.pdf": None}


def test_explicit_client_and_exclusion(tmp_path):
    root = _tree(tmp_path)
    items = discover([str(root)], client="globex", exclude=[str(root / "acme")])
    assert {i.client for i in items} == {"globex"}
    assert all("/acme/" not in i.source for i in items)


def test_missing_paths(tmp_path):
    assert missing_paths([str(tmp_path), str(tmp_path / "nope")]) == [str(tmp_path / "nope")]
