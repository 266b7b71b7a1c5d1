"""The training runner: any encoder x any task x any mode, on PyTorch Lightning.

    from cmrbench.training import RunConfig, run_benchmark

    result = run_benchmark(RunConfig(encoder="r3d-18", dataset="ukbb", store=Path("store"),
                                     task="lvef", mode="linear", out=Path("runs/lvef")))

Modules, in the order data flows: ``config`` (what to run), ``studies`` (which studies, their
targets, label fractions), ``features`` (the frozen-encoder cache), ``batches`` and ``loaders``
(study bags per role), ``model`` (encoder -> attention pooling -> head, and what each mode
trains), ``module`` (the generic LightningModule), ``outputs`` (prediction rows gathered
across processes), ``rundir`` (what a run leaves behind) and ``runner`` (all of it in order).
"""

import warnings

from cmrbench.training.config import ConfigError, RunConfig
from cmrbench.training.runner import RunError, plan_run, run_benchmark

# Lightning 2.6 under torch 2.14 warns about its own use of a torch API on every step.
warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\)")
# The validation metric is computed from predictions gathered from every process, so each
# process logs the same value; Lightning cannot know that and suggests reducing it.
warnings.filterwarnings("ignore", message=r".*self.log\('val/.*sync_dist=True")

__all__ = ["ConfigError", "RunConfig", "RunError", "plan_run", "run_benchmark"]
