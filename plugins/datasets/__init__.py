"""Built-in dataset plugins: one module (and one entry point) per dataset."""
