"""The offline advisory check reads OSV ranges as pip-audit would."""

from __future__ import annotations

from bench.advisories import affects, audit

RANGES = {
    "package": {"name": "Flask", "ecosystem": "PyPI"},
    "ranges": [
        {
            "type": "ECOSYSTEM",
            "events": [
                {"introduced": "0"},
                {"fixed": "2.2.5"},
                {"introduced": "2.3.0"},
                {"fixed": "2.3.2"},
                {"introduced": "3.0"},
                {"last_affected": "3.0.3"},
            ],
        }
    ],
}


def test_a_version_is_affected_inside_a_range_and_not_at_or_after_its_fix():
    assert [
        affects(v, RANGES)
        for v in ("1.0", "2.2.4", "2.2.5", "2.2.9", "2.3.1", "2.3.2", "3.0.3", "3.0.4")
    ] == [True, True, False, False, True, False, True, False]


def test_a_range_never_closed_covers_every_later_release_and_listed_versions_count():
    open_ended = {
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.4"}]}],
        "versions": ["0.9"],
    }
    assert [affects(v, open_ended) for v in ("0.9", "1.0", "1.4", "99")] == [
        True,
        False,
        True,
        True,
    ]
    git_only = {"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}
    assert not affects("1.0", git_only)


def test_the_audit_reports_only_installed_packages_in_affected_ranges(tmp_path):
    (tmp_path / "flask").mkdir()
    (tmp_path / "flask" / "PYSEC-1.yaml").write_text(
        "id: PYSEC-1\naliases: [CVE-1]\nsummary: a flaw\naffected:\n"
        "- package: {name: flask, ecosystem: PyPI}\n  ranges:\n  - type: ECOSYSTEM\n"
        "    events: [{introduced: '0'}, {fixed: '3.1.1'}]\n",
        encoding="utf-8",
    )
    (tmp_path / "notinstalled").mkdir()
    (tmp_path / "notinstalled" / "PYSEC-2.yaml").write_text(
        "id: PYSEC-2\naffected: []\n", encoding="utf-8"
    )
    findings, read = audit(tmp_path, {"flask": "3.1.0", "werkzeug": "3.1.9"})
    assert read == 1 and [(f.package, f.advisory, f.aliases) for f in findings] == [
        ("flask", "PYSEC-1", ("CVE-1",))
    ]
    assert audit(tmp_path, {"flask": "3.1.1"}) == ([], 1)
