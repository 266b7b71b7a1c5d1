"""An example cmrbench encoder plugin: a small 3D CNN registered as 'example-net'."""
