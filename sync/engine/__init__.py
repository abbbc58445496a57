"""The sync engine: pages, cursors, deletes and run history."""

from sync.engine.runner import SourceReport, StreamReport, SyncOptions, sync_source

__all__ = ["SourceReport", "StreamReport", "SyncOptions", "sync_source"]
