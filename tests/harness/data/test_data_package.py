"""``cmrbench.data`` exports its pipeline lazily: every public name resolves to the object its
module defines, and only the modules asked for are imported (no torch for report sentences)."""

import importlib
import subprocess
import sys

import cmrbench.data as data


def test_every_public_name_resolves_to_its_defining_module():
    assert sorted(data.__all__) == sorted(data._SOURCES)
    for name, module in data._SOURCES.items():
        assert getattr(data, name) is getattr(
            importlib.import_module(f"cmrbench.data.{module}"), name)
    assert set(data.__all__) <= set(dir(data))


def test_an_unknown_name_is_an_attribute_error_naming_it():
    try:
        data.ClipDatasett  # noqa: B018 - the attribute access is the test
    except AttributeError as error:
        assert "ClipDatasett" in str(error)
    else:
        raise AssertionError("an unknown name resolved")


def test_report_sentences_and_view_policies_load_without_torch():
    code = ("import sys\nfrom cmrbench.data import VIEW_POLICIES, split_sentences\n"
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == "False"
