"""The one error every conformance check raises."""


class ConformanceError(AssertionError):
    """A plugin breaks the cmrbench contract; the message says which part and how to fix it."""
