"""What every connector's mapped custom objects share: one stream per mapping, its record
mapper and its stream description. Reading the object is each CRM's own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from connectors.core.contract import StreamInfo
from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import CustomRecordMapper
from connectors.core.errors import ConnectorConfigError

__all__ = ["MappedStreams"]


class MappedStreams:
    """The admin's mapped custom objects of one source, each served as one stream."""

    crm: ClassVar[str] = "this CRM"

    def __init__(self, source: str) -> None:
        self.source = source
        self.mappings: dict[str, CustomObjectMapping] = {}
        self._mappers: dict[str, CustomRecordMapper] = {}

    def _mapper_key(self, mapping: CustomObjectMapping) -> str:
        """What a row's mapper is found by (the stream's name unless a CRM says otherwise)."""
        return mapping.stream_name

    def add(self, mappings: Sequence[CustomObjectMapping]) -> None:
        for mapping in mappings:
            self.mappings[mapping.stream_name] = mapping
            self._mappers[self._mapper_key(mapping)] = CustomRecordMapper(self.source, mapping)

    def infos(self) -> list[StreamInfo]:
        """Each mapped object as a stream; its records' ids carry the object's name."""
        return [
            StreamInfo(name, m.record_type, (m.object,), id_prefix=f"{m.object}/")
            for name, m in self.mappings.items()
        ]

    def _mapping(self, stream: str) -> CustomObjectMapping:
        if stream not in self.mappings:
            raise ConnectorConfigError(f"{self.crm} has no stream {stream!r}", source=self.source)
        return self.mappings[stream]
