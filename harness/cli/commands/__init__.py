"""One module per ``cmrbench`` subcommand (see :mod:`harness.cli`)."""
