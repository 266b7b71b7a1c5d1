"""Built-in free-text cleaners."""
