"""Read every module of the sandbox's SugarCRM with Zucker (iWelt AG's Sugar REST client).

Runs inside the zucker venv: ``python zucker_read.py CONFIG.json``; prints one JSON object
of records read per module. Zucker is given the site URL, user and password, as for any
Sugar instance; the CA bundle comes from ``REQUESTS_CA_BUNDLE``. It signs in with the
password grant at ``/rest/v11_5/oauth2/token/`` and reads as it does against Sugar: a
view's size from ``GET /<Module>/count``, then each record with ``GET /<Module>`` (one
``max_num=1`` request per offset, Zucker's own iteration). Each record is loaded into a
module class, so an id that is not a GUID, or a record of another ``_module``, fails the
read; a record count that differs from the view's size is reported on stderr.
"""

import json
import sys
import types
from pathlib import Path

from zucker import RequestsClient, model


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    crm = RequestsClient(config["site_url"], config["username"], config["password"])
    counts, mismatched = {}, []
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
        read = sum(1 for record in view if record.id and record.date_modified)
        counts[name] = read
        if read != size:
            mismatched.append(f"{name}: read {read}, count {size}")
    if mismatched:
        print("count differs from the records read: " + "; ".join(mismatched), file=sys.stderr)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
