"""The crmsync application: store, pull, scheduler and command line.

It is the only layer that imports both ``connectors`` and ``compensation`` and does I/O.
"""

__all__: list[str] = []
