"""Read every record of the sandbox's Zoho modules with Zoho's official Python SDK.

Runs inside the zohocrmsdk8-0 venv: ``python zoho_sdk_read.py CONFIG.json``; prints one JSON
object of records read per module. The SDK is pointed at the sandbox through its own
``DataCenter.Environment`` (API URL, accounts URL), as for any Zoho data centre.
"""

import json
import os
import sys
from pathlib import Path

from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.fields import FieldsOperations
from zohocrmsdk.src.com.zoho.crm.api.fields import ResponseWrapper as FieldsWrapper
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.parameter_map import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.record import GetRecordsParam, RecordOperations
from zohocrmsdk.src.com.zoho.crm.api.record import ResponseWrapper as RecordsWrapper
from zohocrmsdk.src.com.zoho.crm.api.sdk_config import SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.users import GetUsersParam, UsersOperations
from zohocrmsdk.src.com.zoho.crm.api.users import ResponseWrapper as UsersWrapper

PER_PAGE = 200
MAX_FIELDS = 50


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    base = os.environ["PEER_BASE_URL"]
    work = Path(config["workdir"])
    environment = DataCenter.Environment(base, f"{base}/oauth/v2/token", base)
    token = OAuthToken(
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        refresh_token=config["refresh_token"],
    )
    (work / "sdk-resources").mkdir(exist_ok=True)
    # A fresh token store: tokens from an earlier sandbox process are unknown to this one.
    (work / "tokens.csv").unlink(missing_ok=True)
    Initializer.initialize(
        environment=environment,
        token=token,
        store=FileStore(str(work / "tokens.csv")),
        sdk_config=SDKConfig(auto_refresh_fields=False, pick_list_validation=False),
        resource_path=str(work / "sdk-resources"),
    )
    counts = {"users": read_users()}
    for module in config["modules"]:
        counts[module] = read_module(module)
    print(json.dumps(counts))


def read_users():
    seen = 0
    page = 1
    while True:
        params = ParameterMap()
        params.add(GetUsersParam.type, "AllUsers")
        params.add(GetUsersParam.page, page)
        params.add(GetUsersParam.per_page, PER_PAGE)
        response = UsersOperations().get_users(params)
        body = response.get_object() if response is not None else None
        if not isinstance(body, UsersWrapper):
            report("users", response)
            return seen
        seen += len(body.get_users() or [])
        if not body.get_info().get_more_records():
            return seen
        page += 1


def field_names(module):
    response = FieldsOperations().get_fields(module_param(module))
    body = response.get_object() if response is not None else None
    if not isinstance(body, FieldsWrapper):
        report(f"{module} fields", response)
        return ["id"]
    return [f.get_api_name() for f in body.get_fields()][:MAX_FIELDS]


def module_param(module):
    from zohocrmsdk.src.com.zoho.crm.api.fields import GetFieldsParam

    params = ParameterMap()
    params.add(GetFieldsParam.module, module)
    return params


def read_module(module):
    fields = ",".join(field_names(module))
    seen, page, page_token = 0, 1, None
    while True:
        params = ParameterMap()
        params.add(GetRecordsParam.fields, fields)
        params.add(GetRecordsParam.per_page, PER_PAGE)
        if module == "Leads":
            params.add(GetRecordsParam.converted, "both")  # converted leads are hidden by default
        if page_token:
            params.add(GetRecordsParam.page_token, page_token)
        else:
            params.add(GetRecordsParam.page, page)
        response = RecordOperations(module).get_records(params)
        if response is None or response.get_status_code() == 204:
            return seen
        body = response.get_object()
        if not isinstance(body, RecordsWrapper):
            report(module, response)
            return seen
        seen += len(body.get_data() or [])
        info = body.get_info()
        if not info.get_more_records():
            return seen
        page_token = info.get_next_page_token()
        page += 1


def report(what, response):
    body = response.get_object() if response is not None else None
    detail = repr(getattr(body, "__dict__", body))[:300]
    status = response.get_status_code() if response else "-"
    print(f"{what}: HTTP {status} {detail}", file=sys.stderr)


if __name__ == "__main__":
    main()
