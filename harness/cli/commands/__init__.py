"""One module per ``cmrbench`` subcommand (see :mod:`cmrbench.cli`)."""
