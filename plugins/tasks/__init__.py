"""The built-in task plugins, each registered through the ``cmrbench`` entry-point group."""
