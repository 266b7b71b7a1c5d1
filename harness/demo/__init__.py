"""``cmrbench demo``: from nothing to a leaderboard, through the commands a user would type.

Every step is a real ``cmrbench`` command, printed before it runs (phantom, ingest, pretrain,
run, submit, leaderboard build), so the demo doubles as a transcript of the workflow. See
:mod:`cmrbench.demo.plan` for what runs and :mod:`cmrbench.demo.steps` for how a second run
reuses the first one's work.
"""

from cmrbench.demo.plan import DemoPlan, Entry, demo_plan
from cmrbench.demo.steps import run_demo

__all__ = ["DemoPlan", "Entry", "demo_plan", "run_demo"]
