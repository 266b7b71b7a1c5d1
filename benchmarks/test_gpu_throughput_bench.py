"""`benchmarks/gpu_throughput.py` runs end to end here: on the CPU with the tiny encoders.

The figures that matter come from a CUDA machine (see the script's docstring and README);
this run proves the script works before anyone spends GPU time on it: every configuration
measured or skipped with a reason, the supply rate and the end-to-end run recorded, the JSON
written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("gpu_throughput.py")


def test_gpu_throughput_script_on_the_cpu(benchmark, tmp_path):
    out = tmp_path / "gpu_throughput.json"
    command = [sys.executable, str(SCRIPT), "--tiny", "--minutes", "5", "--out", str(out)]
    result = benchmark.pedantic(lambda: subprocess.run(command, capture_output=True, text=True),
                                rounds=1, iterations=1)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert len(figures["throughput"]) + len(figures["skipped"]) == 16
    assert all(row["harness_clips_per_s"] > 0 and row["bare_clips_per_s"] > 0
               for row in figures["throughput"])
    assert figures["supply"][0]["clips_per_s_per_worker"] > 0
    assert figures["end_to_end"]["clips_per_s"] > 0
    assert figures["checks"]["configuration"] == "mvit-b-16x4 train bf16-mixed"
    print("\n" + result.stdout.split("cpu |", 1)[-1])
