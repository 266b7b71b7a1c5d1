"""Reports: varied sentences that state the EF and the findings, split cleanly on periods."""

from __future__ import annotations

import re

import numpy as np
import pytest
from cmrbench.phantom import GROUPS
from cmrbench.phantom.anatomy import Anatomy, sample_anatomy
from cmrbench.phantom.report import write_report


@pytest.fixture(scope="module")
def reports() -> list[tuple[Anatomy, str]]:
    rng = np.random.default_rng(11)
    anatomies = [sample_anatomy(group, rng) for group in GROUPS for _ in range(8)]
    return [(a, write_report(a, rng)) for a in anatomies]


def _sentences(report: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+", report) if s]


def test_every_report_states_the_ejection_fraction(reports) -> None:
    for anatomy, report in reports:
        assert re.search(rf"\b{round(anatomy.lvef)}%", report), report


def test_sentences_end_with_periods(reports) -> None:
    for _, report in reports:
        sentences = _sentences(report)
        assert len(sentences) >= 7
        assert all(s.endswith(".") and s[0].isupper() for s in sentences), report


def test_wording_and_order_vary(reports) -> None:
    first_sentences = {_sentences(report)[0] for _, report in reports}
    ef_phrasings = {re.sub(r"\d+", "N", s) for _, r in reports for s in _sentences(r)
                    if "ejection fraction" in s.lower() or "LVEF" in s}
    assert len(first_sentences) > 10
    assert len(ef_phrasings) >= 4
    assert len({report for _, report in reports}) == len(reports)


def test_findings_are_reported_when_present(reports) -> None:
    for anatomy, report in reports:
        text = report.lower()
        found = anatomy.findings
        if found["pericardial_effusion"]:
            assert "pericardial effusion" in text and "no pericardial" not in text
        if found["la_dilation"]:
            assert "left atri" in text
        if found["rv_dilation"]:
            assert "dilat" in text and "right ventric" in text
        if found["regional_wall_motion_abnormality"]:
            assert anatomy.akinetic_segment in text
            assert "akinetic" in text or "akinesia" in text
        if found["lv_hypertrophy"]:
            assert "hypertrophy" in text and "no left ventricular hypertrophy" not in text
        if found["pure_normal"]:
            assert "normal" in text
