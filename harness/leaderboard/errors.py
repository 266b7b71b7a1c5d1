"""The leaderboard's errors: each names the input, the problem and the fix."""

from __future__ import annotations


class LeaderboardError(ValueError):
    """A leaderboard operation that cannot go ahead as asked."""


class SubmissionRejected(LeaderboardError):
    """A submission that fails validation; ``problems`` lists every reason, one per item."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{what} rejected ({len(self.problems)} problem(s)):\n{lines}")
