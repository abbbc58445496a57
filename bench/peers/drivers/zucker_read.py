"""Read every module of the sandbox's SugarCRM with Zucker (iWelt AG's Sugar REST client).

Runs inside the zucker venv: ``python zucker_read.py CONFIG.json``; prints one JSON object
of records read per module. Zucker is given the site URL, user and password, as for any
Sugar instance, and the API platform registered on it (Zucker's own default, ``zucker``,
is refused where an administrator has not registered it); the CA bundle comes from
``REQUESTS_CA_BUNDLE``. It signs in with the
password grant at ``/rest/v11_5/oauth2/token/`` and reads as it does against Sugar: a
view's size from ``GET /<Module>/count``, then each record with ``GET /<Module>`` (one
``max_num=1`` request per offset, Zucker's own iteration). Each record is loaded into a
module class, so an id that is not a GUID, or a record of another ``_module``, fails the
read. Then the last record of each module is looked up by id (Zucker's filtered view:
``GET /<Module>/count`` and ``GET /<Module>`` with a bracketed ``filter``). A record count
that differs from the view's size, or a lookup that misses, fails the run (exit 1, on
stderr).
"""

import json
import sys
import types
from pathlib import Path

from zucker import RequestsClient, model


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    crm = RequestsClient(
        config["site_url"],
        config["username"],
        config["password"],
        client_platform=config["platform"],
    )
    counts, mismatched, lookups = {}, [], []
    for name in config["modules"]:
        module = types.new_class(
            name,
            (model.SyncModule,),
            {"client": crm, "api_name": name},
            lambda ns: ns.update(
                date_entered=model.StringField(), date_modified=model.StringField()
            ),
        )
        view = module.find()
        size = len(view)
        read, last = 0, None
        for record in view:
            if record.id and record.date_modified:
                read, last = read + 1, record
        counts[name] = read
        if read != size:
            mismatched.append(f"{name}: read {read}, count {size}")
        # one lookup by id: Zucker filters the list (``filter[0][id][$equals]=...``)
        if last is not None:
            found = module.get_by_id(str(last.id))
            if found is None or found.id != last.id:
                lookups.append(f"{name}: {last.id} not found by id")
    print(json.dumps(counts))
    problems = mismatched + lookups
    if problems:
        sys.exit("; ".join(problems))


if __name__ == "__main__":
    main()
