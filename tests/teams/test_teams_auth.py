"""Who may talk to planbot on Teams: every request's token checked by the SDK, then the tenant by planbot.

A request that fails either check is answered before anything is read: nothing stored, nothing
sent to the connector, and the log never holds what the person typed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.request

import jwt
import pytest
from support.fake_teams import OTHER_TENANT_ID, OWNER, TokenSigner, personal_message
from support.workspace import stored_updates

SECRET_TEXT = "rag V9 red Waiting on the review of the Smith case"


def _none_token(service_url: str) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": "x",
        "serviceurl": service_url,
        "exp": now + dt.timedelta(hours=1),
    }
    return jwt.encode(claims, None, algorithm="none")


@pytest.mark.parametrize(
    "forged",
    ["no header", "wrong audience", "expired", "wrong key", "alg none", "not a bearer", "other service URL"],
)
def test_a_request_without_a_valid_token_is_refused_and_changes_nothing(teams, container, connector, forged) -> None:
    activity = personal_message(OWNER, SECRET_TEXT, connector.service_url)
    match forged:
        case "no header":
            answer, _ = teams.post(activity, token=None)
        case "wrong audience":
            answer, _ = teams.post(activity, audience="00000000-0000-0000-0000-000000000000")
        case "expired":
            answer, _ = teams.post(activity, lifetime=dt.timedelta(minutes=-10))
        case "wrong key":
            forged_token = TokenSigner(kid=teams.signer.kid, forger=True).token(connector.service_url)
            answer, _ = teams.post(activity, token=forged_token)
        case "alg none":
            answer, _ = teams.post(activity, token=_none_token(connector.service_url))
        case "other service URL":
            # A genuine token, replayed with a body that would send the reply (and planbot's token) elsewhere.
            activity["serviceUrl"] = "http://attacker.example/teams/"
            answer, _ = teams.post(activity, token=teams.signer.token(connector.service_url))
        case _:
            answer, _ = teams.post(activity, token=f"Basic {teams.signer.token(connector.service_url)}")

    assert 401 == answer
    assert [] == stored_updates(container.engine)
    assert [] == connector.calls, "planbot called nobody"


def test_another_tenant_is_dropped_unread_and_unlogged(teams, container, connector, caplog) -> None:
    """A valid Bot Framework token carries no tenant: planbot's allow-list is what keeps other forces out."""
    caplog.set_level(logging.DEBUG)
    activity = personal_message(OWNER, SECRET_TEXT, connector.service_url, tenant=OTHER_TENANT_ID)

    answer, _ = teams.post(activity)

    assert 403 == answer
    assert [] == stored_updates(container.engine)
    assert [] == connector.calls
    assert OTHER_TENANT_ID in caplog.text
    assert "Smith" not in caplog.text


def test_the_health_check_needs_no_token(teams) -> None:
    with urllib.request.urlopen(teams.url.replace("/api/messages", "/healthz"), timeout=10) as response:
        assert 200 == response.status


def test_a_body_that_is_not_an_activity_is_a_400(teams, container, connector) -> None:
    request = urllib.request.Request(
        teams.url,
        data=json.dumps({"hello": "world"}).encode(),
        headers={
            "Authorization": f"Bearer {teams.signer.token(connector.service_url)}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert 400 == refused.value.code
    assert [] == connector.calls
