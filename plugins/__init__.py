"""The built-in cmrbench plugins, registered through the same entry-point group as any other."""
