"""The floor for ``benchmarks/teams_roundtrip.py``: a bare Agents SDK app that only answers "ok".

An aiohttp ``CloudAdapter`` and an ``AgentApplication`` whose message handler sends "ok", served at
``/api/messages`` behind the SDK's ``jwt_authorization_decorator``, as Microsoft's samples serve an
agent. It reads the same ``PLANBOT_TEAMS_*`` variables as planbot and, as planbot does
(``bot.teams.gateway.use_signing_keys``), verifies Bot Framework tokens against the keys at
``PLANBOT_TEAMS_JWKS_URL``; its outbound tokens come from MSAL (``MsalConnectionManager``) against
``PLANBOT_TEAMS_AUTHORITY``. Nothing of planbot is imported.

    python benchmarks/teams_bare_agent.py PORT
"""

from __future__ import annotations

import gc
import os
import sys

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator, start_agent_process
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState
from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, _entra_issuers


def main(port: int) -> int:
    env = os.environ
    _entra_issuers.BOTFRAMEWORK_JWKS_URIS[_entra_issuers.BOTFRAMEWORK_PUBLIC_ISSUER] = env["PLANBOT_TEAMS_JWKS_URL"]
    configuration = AgentAuthConfiguration(
        client_id=env["PLANBOT_TEAMS_APP_ID"],
        tenant_id=env["PLANBOT_TEAMS_TENANT_ID"],
        client_secret=env["PLANBOT_TEAMS_APP_PASSWORD"],
        authority=env["PLANBOT_TEAMS_AUTHORITY"],
        anonymous_allowed=False,
    )
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": configuration})
    adapter = CloudAdapter(connection_manager=connections)
    agent: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=connections, start_typing_timer=False
    )

    @agent.message()
    async def answer(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("ok")

    @jwt_authorization_decorator
    async def messages(request: web.Request) -> web.StreamResponse | None:
        return await start_agent_process(request, agent, adapter)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    app = web.Application()
    app["agent_configuration"] = configuration
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", health)
    gc.freeze()  # as planbot does once started
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
