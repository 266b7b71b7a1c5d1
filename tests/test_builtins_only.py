"""The project's tests test the built-in plugins only, whatever else is installed.

A third-party distribution providing a full-size video encoder and a dataset (whose
factories fail) is put on PYTHONPATH; the tests of the built-in plugins must collect none of
its names, or a stranger's plugin could turn this project's suite red.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRANGER = '''
    from pathlib import Path

    from cmrbench import DatasetSpec, EncoderSpec, VideoInput, hookimpl


    def fail(*args):
        raise RuntimeError("a stranger's plugin ran inside cmrbench's own tests")


    @hookimpl
    def cmrbench_encoders():
        return [EncoderSpec(name="stranger-net", description="full-size third-party encoder",
                            factory=fail, input=VideoInput(frames=16, height=224, width=224))]


    @hookimpl
    def cmrbench_datasets():
        return [DatasetSpec(name="stranger-set", description="third-party dataset",
                            discover=fail, views=("SAX",), labels={}, card=Path("card.yaml"))]
'''


def test_tests_of_the_built_ins_collect_no_third_party_plugin(install_distribution):
    install_distribution("stranger-plugins", {"stranger_plugins": STRANGER},
                         {"stranger": "stranger_plugins"})
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider", "tests/plugins"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert any(line.endswith("declared_input[r3d-18]") for line in collected)
    assert not [line for line in collected if "stranger" in line]
