"""Sweeps: a grid of benchmark runs (or a sharded ingest) submitted through submitit, to this
machine's processes or to a SLURM cluster.

Modules, in the order a sweep flows: ``grid`` (the sweep file), ``options`` (executor and
resources), ``expand`` (grid -> resolved runs named by their config hash), ``executors``
(submitit's LocalExecutor and SlurmExecutor), ``jobs`` (what runs inside a job), ``manifest``
(the sweep folder and its records), ``results`` (results.csv) and ``launch`` (one
``cmrbench sweep`` invocation).
"""
