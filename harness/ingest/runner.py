"""Ingest: raw source -> de-identified study store, resumable, parallel, and fully reported.

Each study is decoded in a worker and written atomically; a study whose file already exists
is skipped, so an interrupted run is finished by running it again. The index is rebuilt from
the study files at the end, and the ingest report lists every rejected file with its reason.
With a ``shard`` (:mod:`cmrbench.ingest.shards`), only that shard's studies are ingested, and
the last shard to finish writes the index and the report of all of them.
Free text (series descriptions, the report, messages, text labels) leaves the worker only
cleaned of the study's identifiers (:mod:`cmrbench.ingest.deid`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cmrbench.cards import DatasetCard
from cmrbench.deid import StudyIdentifiers
from cmrbench.files import PARTIAL_SUFFIX, atomic_write
from cmrbench.ingest.assemble import assemble_views
from cmrbench.ingest.deid import Cleaner, StudyText
from cmrbench.ingest.dicom import read_frames
from cmrbench.ingest.limits import outside_source
from cmrbench.ingest.reasons import ADVICE
from cmrbench.ingest.shards import Shard, merge_reports, missing_shards
from cmrbench.ingest.source import Decoded, Rejection, SourceStudy
from cmrbench.splits import salted_id
from cmrbench.store import StudyRecord, ViewVolume, build_index, study_path, write_study
from cmrbench.store.writer import STUDIES_DIR
from tqdm import tqdm

REPORT_FILE = "ingest_report.json"
Decoder = Callable[[SourceStudy, DatasetCard], Decoded]


@dataclass
class IngestReport:
    """What one ingest run did: studies written, skipped (already done) and rejected files.

    ``kept`` names, per written study and view, the series the view was made of and why
    they were chosen over the other candidates (:mod:`cmrbench.ingest.choice`).
    """

    dataset: str
    source_studies: int = 0
    written: list[str] = field(default_factory=list)
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    rejected_studies: list[dict[str, str]] = field(default_factory=list)
    rejected_files: list[dict[str, str]] = field(default_factory=list)
    split_sha256: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"ingest {self.dataset}: {self.source_studies} studies found, "
                 f"{len(self.written)} written, {len(self.skipped)} already done, "
                 f"{len(self.rejected_studies)} rejected, "
                 f"{len(self.rejected_files)} files rejected"]
        for item in self.rejected_studies:
            lines.append(f"  rejected study {item['study']}: {item['reason']}")
        reasons: dict[str, int] = {}
        for item in self.rejected_files:
            reasons[item["reason"]] = reasons.get(item["reason"], 0) + 1
        lines += [f"  {count} file(s): {reason}" + (f" ({ADVICE[reason]})" if reason in ADVICE
                                                     else "")
                  for reason, count in sorted(reasons.items())]
        return "\n".join(lines)


def decode_dicom(study: SourceStudy, card: DatasetCard) -> Decoded:
    """The default decoder: DICOM files mapped to views by the card's view map."""
    frames, rejected = read_frames(study.files)
    decoded = assemble_views(frames, card.views_for, card.views, card.slice_numbering,
                             why_unmapped=card.why_unmapped)
    identifiers = StudyIdentifiers()
    for frame in frames:
        identifiers |= frame.identifiers
    return Decoded(decoded.views, rejected + decoded.rejected, decoded.labels, identifiers,
                   decoded.kept)


def pseudonyms(card: DatasetCard, study: SourceStudy) -> tuple[str, str]:
    """Salted-hash study and patient IDs: the only identifiers that reach the store."""
    return (salted_id(card.id_salt, f"study:{study.key}"),
            salted_id(card.id_salt, f"patient:{study.patient}"))


def ingest(studies: Iterable[SourceStudy], card: DatasetCard, out: Path, *,
           decode: Decoder | None = None, workers: int = 1, progress: bool = True,
           provenance: dict[str, Any] | None = None, source: Path | None = None,
           cleaner: Cleaner | None = None, shard: Shard | None = None
           ) -> IngestReport:
    """Write every usable study of ``studies`` into the store at ``out``; return the report.

    ``provenance`` (e.g. the dataset plugin and harness version) is recorded in the report.
    With ``source`` (the folder the studies were discovered in), a file whose path resolves
    outside it, through a symlink, is refused and reported, never read. ``cleaner`` cleans
    every free-text value kept (default: the built-in one); it is built here first, so a
    cleaner that cannot be built fails before any study is read.
    With ``shard``, only its studies are ingested and the report returned is the shard's, or,
    from the shard that completes the set, the merged report of the whole store.
    """
    cleaner = cleaner or Cleaner()
    cleaner.build()
    out = Path(out)
    (out / STUDIES_DIR).mkdir(parents=True, exist_ok=True)
    if shard is None:
        for leftover in (out / STUDIES_DIR).glob(f".*{PARTIAL_SUFFIX}"):
            leftover.unlink()  # from a run that was killed mid-write
    report = IngestReport(dataset=card.name, split_sha256=card.split.sha256,
                          provenance=dict(provenance or {}))
    jobs, order = [], []
    for study in studies:
        study_id, patient_id = pseudonyms(card, study)
        order.append(study_id)
        if shard is not None and not shard.holds(study_id):
            continue
        report.source_studies += 1
        if shard is not None:
            _remove_partials(out, study_id)
        if study_path(out, study_id).exists():
            report.skipped.append(study_id)
        else:
            jobs.append((study, study_id, patient_id, card, decode or decode_dicom, out,
                         source, cleaner))
    with ExitStack() as stack:
        if workers > 1 and len(jobs) > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers))
            outcomes = pool.map(_ingest_one, jobs, chunksize=1)
        else:
            outcomes = map(_ingest_one, jobs)
        for outcome in tqdm(outcomes, total=len(jobs), desc=f"ingest {card.name}",
                            unit="study", disable=not progress or None):
            _record(report, outcome)
    if shard is None:
        build_index(out)
        _write_report(out / REPORT_FILE, report)
        return report
    _write_report(shard.report_path(out), report)
    if missing_shards(out, shard.count):
        return report
    return merge_shards(out, shard.count, order)


def merge_shards(out: Path, count: int, order: list[str]) -> IngestReport:
    """Write the index and the report of a store that ``count`` shards ingested; ``order`` is
    every study ID in source order (as :func:`pseudonyms` gives them)."""
    report = IngestReport(**merge_reports(out, count, order))
    build_index(out)
    _write_report(Path(out) / REPORT_FILE, report)
    return report


def _remove_partials(out: Path, study_id: str) -> None:
    """Temporary files of this study left by a shard killed mid-write (only this study's: other
    shards may be writing theirs into the same store right now)."""
    target = study_path(out, study_id)
    for leftover in target.parent.glob(f".{target.name}.*{PARTIAL_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def _ingest_one(job: tuple[SourceStudy, str, str, DatasetCard, Decoder, Path, Path | None,
                           Cleaner]) -> dict[str, Any]:
    study, study_id, patient_id, card, decode, out, source, cleaner = job
    text = StudyText.of(study, cleaner)
    study, outside = _inside_source(study, source)
    outside = [text.rejection(r) for r in outside]
    try:
        raw = decode(study, card)
    except Exception as exc:  # noqa: BLE001 - one bad study must not stop the run
        return {"study": study_id, "written": False,
                "files": [asdict(r) | {"study": study_id} for r in outside],
                "reason": text(f"could not be decoded: {type(exc).__name__}: {exc}",
                               "message")}
    text = text.knowing(raw.identifiers)
    decoded = text.decoded(raw)
    files = [asdict(r) | {"study": study_id} for r in outside + decoded.rejected]
    reason = _study_problem(decoded.views)
    if reason:
        return {"study": study_id, "written": False, "files": files, "reason": reason}
    split = card.split.assign(study.patient, study.key)
    labels = {**text.values(study.labels, "label"), **decoded.labels}
    write_study(out, StudyRecord(study_id=study_id, patient_id=patient_id, dataset=card.name,
                                 views=decoded.views, labels=labels,
                                 report=text.report(study.report),
                                 meta={**text.values(study.meta, "label"), "split": split}))
    return {"study": study_id, "written": True, "files": files, "reason": "",
            "kept": decoded.kept}


def _inside_source(study: SourceStudy, source: Path | None
                   ) -> tuple[SourceStudy, list[Rejection]]:
    """The study without files that resolve outside ``source``, and their rejections."""
    if source is None:
        return study, []
    refused = [outside_source(ref, source) for ref in study.files]
    kept = tuple(ref for ref, rejection in zip(study.files, refused, strict=True)
                 if rejection is None)
    return dataclasses.replace(study, files=kept), [r for r in refused if r is not None]


def _study_problem(views: dict[str, ViewVolume]) -> str:
    if not views:
        return "no usable views"
    if all(int(view.cine.max()) == 0 for view in views.values()):
        return "all-black: every pixel of every view is 0"
    return ""


def _record(report: IngestReport, outcome: dict[str, Any]) -> None:
    report.rejected_files += outcome["files"]
    if outcome["written"]:
        report.written.append(outcome["study"])
        report.kept[outcome["study"]] = outcome["kept"]
    else:
        report.rejected_studies.append({"study": outcome["study"], "reason": outcome["reason"]})


def _write_report(path: Path, report: IngestReport) -> None:
    with atomic_write(path) as partial:
        partial.write_text(json.dumps(asdict(report), indent=2, sort_keys=True))
