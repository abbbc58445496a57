"""The pull: a source read into the store, page by page, with cursors, deletes and run history."""

from sync.pull.source import SourceReport, StreamReport, SyncOptions, sync_source

__all__ = ["SourceReport", "StreamReport", "SyncOptions", "sync_source"]
