"""Built-in encoders: torchvision and pytorchvideo video models, and BERT-family text models.

Each module with a ``cmrbench_encoders`` hook is one entry point (``torchvision_video``,
``pytorchvideo_video``, ``text``). Hook modules import no torch: models are built only when a
spec's factory is called.
"""
