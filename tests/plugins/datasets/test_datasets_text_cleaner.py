"""A site's own text cleaner, installed as a plugin like any other and chosen with
``cmrbench ingest --cleaner NAME``: it is the one applied (in worker processes too), the ingest
report names it, and when it fails the command stops naming it and its plugin."""

from __future__ import annotations

import json

from cmrbench.cli import main
from cmrbench.store import StudyStore

SITE_CLEANERS = '''
    import re

    from cmrbench import TextCleanerSpec, hookimpl
    from cmrbench.deid import clean_text


    def no_digits(text, identifiers, field):
        """The built-in cleaner, then every digit of a report hidden (a strict site)."""
        cleaned = clean_text(text, identifiers, field)
        return re.sub(r"[0-9]", "#", cleaned) if field == "report" else cleaned


    def strict():
        return no_digits


    def failing(text, identifiers, field):
        raise RuntimeError(f"cannot parse {text!r}")


    def broken():
        return failing


    @hookimpl
    def cmrbench_text_cleaners():
        return [TextCleanerSpec(name="strict", description="no digits in reports",
                                factory=strict),
                TextCleanerSpec(name="broken", description="always fails", factory=broken)]
'''


def test_a_plugged_in_cleaner_is_the_one_applied_and_is_named(clinical, install_distribution,
                                                              tmp_path, capsys):
    install_distribution("site-cleaners", {"site_cleaners": SITE_CLEANERS},
                         {"site-cleaners": "site_cleaners"})
    assert main(["ls", "cleaners"]) == 0
    assert "strict   no digits in reports  [site-cleaners 0.1.0 (site-cleaners)]" in (
        capsys.readouterr().out)
    store = tmp_path / "store"
    assert main(["ingest", "clinical", str(clinical.source), "--out", str(store),
                 "--cleaner", "strict", "--workers", "2", "--no-progress"]) == 0
    reports = [StudyStore(store).report(s) for s in StudyStore(store).study_ids]
    assert len(reports) == len(clinical.studies)
    assert all("#" in r and not any(c.isdigit() for c in r) for r in reports)
    assert all("[NAME]" in r for r in reports)  # the built-in cleaner ran first
    provenance = json.loads((store / "ingest_report.json").read_text())["provenance"]
    assert provenance["text_cleaner"] == {"name": "strict", "plugin": "site-cleaners",
                                          "distribution": "site-cleaners", "version": "0.1.0"}


def test_a_failing_cleaner_stops_the_ingest_naming_its_plugin_not_the_text(
        clinical, install_distribution, tmp_path, capsys):
    install_distribution("site-cleaners", {"site_cleaners": SITE_CLEANERS},
                         {"site-cleaners": "site_cleaners"})
    store = tmp_path / "store"
    assert main(["ingest", "clinical", str(clinical.source), "--out", str(store),
                 "--cleaner", "broken", "--workers", "1", "--no-progress"]) == 1
    error = capsys.readouterr().err
    assert ("text cleaner 'broken' (plugin 'site-cleaners' from site-cleaners 0.1.0) raised "
            "RuntimeError on a series_description") in error
    assert "cannot parse" not in error and not list(store.glob("studies/*.h5"))


def test_the_default_cleaner_is_the_built_in_one_and_an_unknown_one_is_refused(
        clinical, tmp_path, capsys):
    assert main(["ingest", "clinical", str(clinical.source), "--out", str(tmp_path),
                 "--cleaner", "builtn"]) == 2
    assert "unknown cleaner 'builtn'. Did you mean 'builtin'?" in capsys.readouterr().err
