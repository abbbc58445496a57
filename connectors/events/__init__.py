"""The events connector: digital touches in the Segment / RudderStack spec, from JSON-lines
exports (``EventsConnector``, ``EventsSettings``)."""

from connectors.events.connector import EventsConnector, EventsSettings

__all__ = ["EventsConnector", "EventsSettings"]
