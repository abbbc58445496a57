"""Load the sandbox's HubSpot portal with dlt and its HubSpot verified source (into DuckDB).

Runs inside the dlt venv with the verified source's ``hubspot`` package on the path:
``python dlt_hubspot_read.py CONFIG.json``; prints one JSON object of rows loaded per table.
"""

import json
import shutil
import sys
from pathlib import Path

import dlt
from hubspot import hubspot


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    work = Path(config["workdir"])
    # A fresh pipeline and database each run: the check compares one full load.
    shutil.rmtree(work / "pipelines", ignore_errors=True)
    (work / "peer_load.duckdb").unlink(missing_ok=True)
    pipeline = dlt.pipeline(
        pipeline_name="crmsync_peer_hubspot",
        destination=dlt.destinations.duckdb(str(Path(config["workdir"]) / "peer_load.duckdb")),
        dataset_name="hubspot",
        pipelines_dir=str(Path(config["workdir"]) / "pipelines"),
    )
    source = hubspot(api_key=config["access_token"])
    info = pipeline.run(source)
    print(info, file=sys.stderr)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    print(json.dumps({table: n for table, n in counts.items() if not table.startswith("_dlt")}))


if __name__ == "__main__":
    main()
