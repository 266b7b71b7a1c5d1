"""An example cmrbench dataset plugin: NIfTI short-axis cines with LVEF, as 'example-cine'."""
