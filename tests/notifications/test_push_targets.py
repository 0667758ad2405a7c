"""Push endpoints cannot reach into the network (no SSRF): private and link-local
addresses are refused at registration and at send time, redirects are not followed,
and one account holds a bounded number of endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from subgraphs.common.auth import Viewer
from subgraphs.common.errors import BadUserInput, Conflict
from subgraphs.notifications.channels import PermanentFailure
from subgraphs.notifications.channels.push import PushSender, load_vapid
from subgraphs.notifications.domain import Delivery
from tests.notifications.test_channels import push_keys
from tests.support.servers import free_port

PRODUCTION_RULES = {"push_to_private_addresses": False}


class Target:
    """A local HTTP server standing for an internal service; records every hit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.hits: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        if request.path.startswith("/redirect"):
            raise web.HTTPFound(f"http://127.0.0.1:{self.port}/internal/admin")
        return web.Response(status=201)


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    found = Target()
    app = web.Application()
    app.router.add_post("/{tail:.*}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", found.port).start()
    yield found
    await runner.cleanup()


def delivery(endpoint: str) -> Delivery:
    _, p256dh, _, auth = push_keys()
    return Delivery(
        id="d-1",
        channel="PUSH",
        user_id="u-1",
        kind="NOTIFICATION",
        address=endpoint,
        subject="hello",
        text="hello",
        push_keys={"p256dh": p256dh, "auth": auth},
    )


async def test_a_name_resolving_to_a_private_address_is_not_contacted(
    make_harness: object, target: Target
) -> None:
    h = await make_harness(**PRODUCTION_RULES)  # type: ignore[operator]
    sender = PushSender(h.deps.settings, load_vapid(h.deps.settings))
    with pytest.raises(PermanentFailure, match="no public address"):
        await sender.send(delivery(f"http://localhost:{target.port}/push/1"))
    with pytest.raises(PermanentFailure, match="public address"):
        await sender.send(delivery(f"http://127.0.0.1:{target.port}/push/1"))
    assert target.hits == []


async def test_redirects_are_not_followed(make_harness: object, target: Target) -> None:
    h = await make_harness()  # type: ignore[operator]
    sender = PushSender(h.deps.settings, load_vapid(h.deps.settings))
    with pytest.raises(PermanentFailure, match="redirected"):
        await sender.send(delivery(f"http://127.0.0.1:{target.port}/redirect"))
    assert target.hits == ["/redirect"]  # never /internal/admin


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.7/push/1",
        "https://[::ffff:127.0.0.1]/push/1",
    ],
)
async def test_private_literal_endpoints_are_refused_at_registration(
    make_harness: object, endpoint: str
) -> None:
    h = await make_harness(**PRODUCTION_RULES)  # type: ignore[operator]
    _, p256dh, _, auth = push_keys()
    with pytest.raises(BadUserInput):
        await h.deps.service.register_push_subscription(Viewer("u-1"), endpoint, p256dh, auth)


async def test_one_account_holds_at_most_the_cap(make_harness: object) -> None:
    h = await make_harness(max_push_subscriptions_per_user=3)  # type: ignore[operator]
    _, p256dh, _, auth = push_keys()
    me = Viewer("u-cap")
    endpoints = [f"https://fcm.googleapis.com/fcm/send/{n}" for n in range(4)]
    for endpoint in endpoints[:3]:
        assert await h.deps.service.register_push_subscription(me, endpoint, p256dh, auth)
    with pytest.raises(Conflict):
        await h.deps.service.register_push_subscription(me, endpoints[3], p256dh, auth)
    # Renewing an endpoint already held is not a new one.
    assert await h.deps.service.register_push_subscription(me, endpoints[0], p256dh, auth)
