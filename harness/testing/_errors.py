"""The one error every conformance check raises."""

from __future__ import annotations


class ConformanceError(AssertionError):
    """A plugin breaks the cmrbench contract.

    The message names what was checked (the encoder, dataset or plugin and the distribution
    that provides it), what is wrong and what to change: ``subject: problem. Fix: fix``.
    """

    def __init__(self, subject: str, problem: str, fix: str) -> None:
        self.subject, self.problem, self.fix = subject, problem, fix
        super().__init__(f"{subject}: {problem}. Fix: {fix}")
