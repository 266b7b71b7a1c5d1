"""Leaderboards that take no number on trust.

Every number is recomputed from per-study predictions against the store's labels, with the
task's own metrics and :mod:`cmrbench.stats`:

- :mod:`~cmrbench.leaderboard.submit` validates runs for a suite's benchmark and writes an
  entry (``cmrbench submit``);
- :mod:`~cmrbench.leaderboard.verify` re-scores every entry of a board and flags those whose
  numbers or files disagree (``cmrbench leaderboard verify``);
- :mod:`~cmrbench.leaderboard.paired` and :mod:`~cmrbench.leaderboard.compare` test two
  models on the same studies (``cmrbench compare``);
- :mod:`~cmrbench.leaderboard.ranking`, :mod:`~cmrbench.leaderboard.figures` and
  :mod:`~cmrbench.leaderboard.render` make the tables and the offline HTML page
  (``cmrbench leaderboard build``).
"""
