"""Templated free-text reports: varied wording and order, the same facts as the truth table.

Every sentence ends with a period so that later code can split reports into sentences; the
left-ventricular ejection fraction is always stated as a whole percentage.
"""

from __future__ import annotations

import numpy as np
from cmrbench.phantom.anatomy import Anatomy

_EF = (
    "The left ventricular ejection fraction is {ef}%.",
    "LVEF is {ef}%.",
    "Left ventricular ejection fraction measures {ef}%.",
    "The calculated LV ejection fraction is {ef}%.",
    "Ejection fraction of the left ventricle is estimated at {ef}%.",
)
_FUNCTION = {
    "hyperdynamic": ("Hyperdynamic left ventricular systolic function.",
                     "Left ventricular systolic function is vigorous."),
    "normal": ("Normal left ventricular systolic function.",
               "Left ventricular systolic function is preserved.",
               "Good LV systolic function."),
    "mild": ("Mildly impaired left ventricular systolic function.",
             "LV systolic function is mildly reduced."),
    "moderate": ("Moderately impaired left ventricular systolic function.",
                 "LV systolic function is moderately reduced."),
    "severe": ("Severely impaired left ventricular systolic function.",
               "LV systolic function is severely reduced."),
}
_LV_SIZE = {
    "dilated": ("The left ventricle is dilated with an end-diastolic volume of {edv} ml.",
                "Dilated left ventricle (EDV {edv} ml, ESV {esv} ml).",
                "There is left ventricular dilatation, end-diastolic volume {edv} mL."),
    "small": ("The left ventricular cavity is small (EDV {edv} ml).",
              "Small LV cavity with an end-diastolic volume of {edv} ml."),
    "normal": ("The left ventricle is normal in size (end-diastolic volume {edv} ml).",
               "Normal left ventricular dimensions, EDV {edv} ml and ESV {esv} ml.",
               "LV end-diastolic volume {edv} mL, end-systolic volume {esv} mL."),
}
_WALL = {
    "hypertrophy": ("There is asymmetric septal hypertrophy with a maximal wall thickness of "
                    "{wt} mm.",
                    "Marked left ventricular hypertrophy, maximal septal thickness {wt} mm.",
                    "Maximal end-diastolic wall thickness measures {wt} mm, in keeping with "
                    "hypertrophy."),
    "normal": ("Left ventricular wall thickness is normal ({wt} mm).",
               "No left ventricular hypertrophy; maximal wall thickness {wt} mm.",
               "Myocardial thickness is within normal limits at {wt} mm."),
}
_MOTION = {
    "akinesia": ("There is akinesia of the mid to apical {segment} wall.",
                 "Regional wall motion abnormality: the {segment} wall is akinetic and thinned.",
                 "Akinetic and thinned {segment} segments."),
    "global": ("There is global hypokinesia without a regional pattern.",
               "Wall motion is globally reduced."),
    "normal": ("No regional wall motion abnormality.", "Regional wall motion is normal.",
               "All segments contract normally."),
}
_RV = {
    "dilated": ("The right ventricle is dilated (RVEDV {rvedv} ml) with an ejection fraction "
                "of {rvef}%.",
                "Dilated right ventricle, end-diastolic volume {rvedv} ml.",
                "Right ventricular dilatation with RVEF {rvef}%."),
    "impaired": ("Right ventricular systolic function is reduced (RVEF {rvef}%).",
                 "The right ventricle is normal in size with impaired function."),
    "normal": ("Normal right ventricular size and function.",
               "The right ventricle is normal in size (RVEDV {rvedv} ml), RVEF {rvef}%.",
               "Right ventricle unremarkable."),
}
_ATRIA = {
    "la": ("The left atrium is dilated.", "Left atrial enlargement.", "Dilated left atrium."),
    "ra": ("The right atrium is dilated.", "Right atrial enlargement.",
           "Dilated right atrium."),
    "normal": ("Normal atrial sizes.", "The atria are normal in size.",
               "No atrial enlargement."),
}
_EFFUSION = {
    "present": ("There is a {size} circumferential pericardial effusion measuring up to "
                "{mm} mm.",
                "{Size} pericardial effusion of {mm} mm.",
                "Circumferential pericardial effusion ({mm} mm)."),
    "absent": ("No pericardial effusion.", "The pericardium is normal.",
               "No pericardial effusion is seen."),
}
_IMPRESSION = {
    "NOR": ("Normal cardiac MRI.", "Structurally normal heart.",
            "No cardiac abnormality detected."),
    "DCM": ("Findings consistent with dilated cardiomyopathy.",
            "Appearances are in keeping with a dilated cardiomyopathy.",
            "Conclusion: dilated cardiomyopathy."),
    "HCM": ("Findings consistent with hypertrophic cardiomyopathy.",
            "Appearances are in keeping with asymmetric hypertrophic cardiomyopathy.",
            "Conclusion: hypertrophic cardiomyopathy."),
    "MINF": ("Findings consistent with a previous {segment} myocardial infarction.",
             "Ischaemic cardiomyopathy with prior {segment} infarction.",
             "Conclusion: old {segment} myocardial infarction."),
    "RV": ("Isolated right ventricular dilatation and dysfunction.",
           "Appearances suggest a right ventricular cardiomyopathy or volume overload.",
           "Conclusion: abnormal, dilated right ventricle."),
}


def write_report(anatomy: Anatomy, rng: np.random.Generator) -> str:
    """One report for one study: sentences in a random order, the impression usually last."""
    a = anatomy
    f = a.findings
    values = {"ef": round(a.lvef), "edv": round(a.edv_ml), "esv": round(a.esv_ml),
              "wt": round(a.shape.max_wall_mm), "rvedv": round(a.rv_edv_ml),
              "rvef": round(a.rvef), "segment": a.akinetic_segment or "",
              "mm": round(a.shape.effusion_mm)}
    size = "large" if a.shape.effusion_mm >= 10.0 else "moderate"
    values.update(size=size, Size=size.capitalize())

    def pick(options: tuple[str, ...]) -> str:
        return str(options[rng.integers(len(options))]).format(**values)

    sentences = [pick(_EF), pick(_FUNCTION[_function_grade(a.lvef)]),
                 pick(_LV_SIZE[_lv_size(a)]),
                 pick(_WALL["hypertrophy" if f["lv_hypertrophy"] else "normal"]),
                 pick(_MOTION[_motion(a)]), pick(_RV[_rv_state(a)])]
    atria = [pick(_ATRIA[k]) for k in ("la", "ra") if f[f"{k}_dilation"]]
    sentences += atria or [pick(_ATRIA["normal"])]
    if f["pericardial_effusion"] or rng.random() < 0.5:
        sentences.append(pick(_EFFUSION["present" if f["pericardial_effusion"] else "absent"]))
    order = rng.permutation(len(sentences))
    body = [sentences[i] for i in order]
    impression = pick(_IMPRESSION[a.group])
    if a.group == "NOR" and not f["pure_normal"]:
        impression = "Otherwise structurally normal heart."
    position = len(body) if rng.random() < 0.7 else int(rng.integers(len(body) + 1))
    body.insert(position, impression)
    return " ".join(body)


def _function_grade(lvef: float) -> str:
    if lvef >= 70.0:
        return "hyperdynamic"
    if lvef >= 55.0:
        return "normal"
    if lvef >= 45.0:
        return "mild"
    return "moderate" if lvef >= 35.0 else "severe"


def _lv_size(a: Anatomy) -> str:
    if a.findings["lv_dilation"]:
        return "dilated"
    return "small" if a.edv_ml < 90.0 else "normal"


def _motion(a: Anatomy) -> str:
    if a.akinetic_segment is not None:
        return "akinesia"
    return "global" if a.findings["reduced_ef"] else "normal"


def _rv_state(a: Anatomy) -> str:
    if a.findings["rv_dilation"]:
        return "dilated"
    return "impaired" if a.rvef < 45.0 else "normal"
