"""CRM connectors and the local CRM sandbox.

This package is the leaf that touches CRMs. It knows each CRM's API and its record
shapes, and nothing of the store, the plans or the daemon: it never imports ``sync`` or
``compensation``.
"""

__all__: list[str] = []
