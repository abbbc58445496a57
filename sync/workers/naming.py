"""Worker names: procrastinate knows its workers by a number; operators by ``--name``.

Each worker records its name under procrastinate's worker id in ``crmsync_worker_names``
when it registers. The row goes with the worker's own (``ON DELETE CASCADE``): a worker
that stops unregisters, a dead one is pruned once its jobs are queued again.
"""

from __future__ import annotations

from procrastinate import manager
from procrastinate.connector import BaseConnector

__all__ = ["NAMES_TABLE_DDL", "NamingJobManager"]

NAMES_TABLE_DDL = (
    "CREATE TABLE IF NOT EXISTS crmsync_worker_names ("
    "worker_id bigint PRIMARY KEY REFERENCES procrastinate_workers(id) ON DELETE CASCADE, "
    "name text NOT NULL)"
)

_RECORD = (
    "INSERT INTO crmsync_worker_names (worker_id, name) VALUES (%(worker_id)s, %(name)s) "
    "ON CONFLICT (worker_id) DO UPDATE SET name = EXCLUDED.name"
)


class NamingJobManager(manager.JobManager):
    """procrastinate's job manager, recording the worker's name when it registers."""

    def __init__(self, connector: BaseConnector, worker_name: str) -> None:
        super().__init__(connector)
        self.worker_name = worker_name

    async def register_worker(self) -> int:
        worker_id = await super().register_worker()
        await self.connector.execute_query_async(
            query=_RECORD, worker_id=worker_id, name=self.worker_name
        )
        return worker_id
