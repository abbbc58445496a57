"""The Forms v1 submissions and Email Events v1 endpoints: HubSpot's paths, paging, filters,
errors and scopes, over the contract world's contacts."""

from __future__ import annotations

from sandbox.hubspot.marketing_data import FORMS, marketing_data


def test_submissions_are_paged_newest_first_with_after(hs):
    session = hs.session()
    guid = FORMS[0].guid
    truth = marketing_data(hs.world).submissions[guid]
    assert len(truth) > 2
    seen, after, calls = [], None, 0
    while True:
        params = {"limit": 2} | ({"after": after} if after else {})
        url = f"{hs.base_url}/form-integrations/v1/submissions/forms/{guid}"
        body = session.get(url, params=params).json()
        calls += 1
        seen += body["results"]
        after = body.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert seen == truth
    assert calls == (len(truth) + 1) // 2
    assert [s["submittedAt"] for s in seen] == sorted(
        (s["submittedAt"] for s in seen), reverse=True
    )
    assert set(seen[0]) == {"conversionId", "submittedAt", "values", "pageUrl"}


def test_submissions_of_an_unknown_form_and_a_bad_limit_are_refused(hs):
    session = hs.session()
    base = f"{hs.base_url}/form-integrations/v1/submissions/forms"
    assert session.get(f"{base}/not-a-form").status_code == 404
    assert session.get(f"{base}/{FORMS[0].guid}", params={"limit": 51}).status_code == 400


def test_email_events_filter_by_time_type_and_recipient_and_page_by_offset(hs):
    session = hs.session()
    url = f"{hs.base_url}/email/public/v1/events"
    truth = marketing_data(hs.world).email_events
    assert len(truth) > 10
    seen, offset = [], None
    while True:
        body = session.get(url, params={"limit": 7} | ({"offset": offset} if offset else {})).json()
        seen += body["events"]
        offset = body["offset"]
        if not body["hasMore"]:
            break
    assert sorted(e["id"] for e in seen) == sorted(e["id"] for e in truth)
    middle = sorted(e["created"] for e in truth)[len(truth) // 2]
    later = session.get(url, params={"startTimestamp": middle, "limit": 1000}).json()["events"]
    assert sorted(e["id"] for e in later) == sorted(
        e["id"] for e in truth if e["created"] >= middle
    )
    sent = session.get(url, params={"eventType": "SENT", "limit": 1000}).json()["events"]
    assert len(sent) == sum(e["type"] == "SENT" for e in truth)
    who = truth[0]["recipient"]
    theirs = session.get(url, params={"recipient": who, "limit": 1000}).json()["events"]
    assert {e["recipient"] for e in theirs} == {who}
    assert session.get(url, params={"limit": 1001}).status_code == 400


def test_email_events_need_the_content_scope(hs):
    hs.app.private_app_scopes = frozenset({"forms"})
    response = hs.session().get(f"{hs.base_url}/email/public/v1/events")
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"] == {"requiredGranularScopes": ["content"]}
