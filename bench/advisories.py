"""Every installed distribution checked against a local copy of the PyPA advisory database.

`pip-audit` asks PyPI's JSON API or OSV for advisories, and neither answers where the package
index is a mirror without them. The PyPA advisory database is the data behind PyPI's answers: a
folder per package of OSV records in YAML. Given a copy of its `vulns` folder, this prints each
installed distribution that falls in an affected range, and exits 1 if there is any.

    python -m bench.advisories PATH/TO/advisory-database/vulns
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    summary: str


def installed() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }


def affects(version: str, affected: dict[str, Any]) -> bool:
    """Whether one OSV `affected` entry covers the version: listed, or inside an ECOSYSTEM range."""
    if version in affected.get("versions", ()):
        return True
    ours = Version(version)
    for span in affected.get("ranges", ()):
        if span.get("type") == "ECOSYSTEM" and _in_range(ours, span.get("events", ())):
            return True
    return False


def _in_range(version: Version, events: Iterable[dict[str, str]]) -> bool:
    # Events in order: each `introduced` opens a range that the next `fixed` (exclusive) or
    # `last_affected` (inclusive) closes; a range never closed covers every later release.
    opened: Version | None = None
    for event in events:
        if "introduced" in event:
            opened = Version("0") if event["introduced"] == "0" else Version(event["introduced"])
        elif opened is not None and "fixed" in event:
            if opened <= version < Version(event["fixed"]):
                return True
            opened = None
        elif opened is not None and "last_affected" in event:
            if opened <= version <= Version(event["last_affected"]):
                return True
            opened = None
    return opened is not None and version >= opened


def audit(vulns: Path, distributions: dict[str, str]) -> tuple[list[Finding], int]:
    """Findings, and how many advisories were read (those of the installed packages only)."""
    findings, read = [], 0
    for folder in sorted(path for path in vulns.iterdir() if path.is_dir()):
        package = canonicalize_name(folder.name)
        if package not in distributions:
            continue
        for record in sorted(folder.glob("*.yaml")):
            advisory = yaml.safe_load(record.read_text(encoding="utf-8"))
            read += 1
            for affected in advisory.get("affected", ()):
                if canonicalize_name(affected["package"]["name"]) != package:
                    continue
                try:
                    hit = affects(distributions[package], affected)
                except InvalidVersion:  # a local or odd version string: say so rather than guess
                    print(
                        f"cannot compare {package} {distributions[package]} with {advisory['id']}",
                        file=sys.stderr,
                    )
                    continue
                if hit:
                    summary = advisory.get("summary") or advisory.get("details", "").split("\n")[0]
                    findings.append(
                        Finding(
                            package,
                            distributions[package],
                            advisory["id"],
                            tuple(advisory.get("aliases") or ()),
                            summary[:120],
                        )
                    )
    return findings, read


def main() -> int:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("vulns", type=Path, help="the advisory database's vulns folder")
    vulns = options.parse_args().vulns
    distributions = installed()
    findings, read = audit(vulns, distributions)
    print(
        f"{len(distributions)} distributions installed; {read} advisories read for them; "
        f"{len(findings)} affect the installed version"
    )
    for finding in findings:
        print(
            f"  {finding.package} {finding.version}: {finding.advisory} "
            f"{' '.join(finding.aliases)} - {finding.summary}"
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
