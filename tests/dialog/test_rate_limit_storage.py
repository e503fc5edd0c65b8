"""Rate limits with Redis storage (RATELIMIT_STORAGE_URI) when Redis cannot be reached: the
answers keep coming in, and each server counts on its own until Redis answers again. The
counting across servers itself is tested on two servers in tests/deploy/."""

from __future__ import annotations

import pytest

from tests.postgres.cluster import free_port

UNREACHABLE = {"RATELIMIT_ENABLED": True, "RATELIMIT_ANSWERS_PER_TOKEN": "3 per hour",
               # nothing listens on a port that was free a moment ago
               "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0"}


@pytest.mark.parametrize("app_config", [UNREACHABLE])
def test_answers_go_on_and_are_limited_while_redis_is_down(app, csrf):
    client = app.test_client()
    intro = client.get("/sv/s/trygghet/")
    started = client.post("/sv/s/trygghet/", data={"csrf_token": csrf(intro.text)})
    assert started.status_code == 302
    page = client.get("/sv/s/trygghet/p/1")
    data = {"csrf_token": csrf(page.text), "action": "back"}
    codes = [client.post("/sv/s/trygghet/p/1", data=data).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
