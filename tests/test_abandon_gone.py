"""``middleware.AbandonGone``: the work of a client that left before its answer is dropped if
it has not started, finished if it runs in a thread, and a request that stays gets its body and
its answer as before. ASGI-level, with the messages a server sends."""

from __future__ import annotations

import asyncio
import time

import anyio
import anyio.to_thread

from console.server.middleware import AbandonGone

GET = {"type": "http", "method": "GET", "path": "/x", "headers": []}
POST = {
    "type": "http",
    "method": "POST",
    "path": "/x",
    "headers": [(b"content-length", b"6")],
}


def client(messages: list[dict], leave_after: float | None):
    """A server's ``receive``: the request's messages, then (after ``leave_after`` s) the
    client's disconnect, or nothing more while it stays."""
    queue = list(messages)

    async def receive() -> dict:
        if queue:
            return queue.pop(0)
        if leave_after is None:
            await asyncio.Event().wait()
        await asyncio.sleep(leave_after)
        return {"type": "http.disconnect"}

    return receive


def serve(app, scope, receive) -> list[dict]:
    sent: list[dict] = []

    async def send(msg: dict) -> None:
        sent.append(msg)

    async def go() -> None:
        await asyncio.wait_for(AbandonGone(app)(scope, receive, send), 10)

    asyncio.run(go())
    return sent


async def answer(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_work_still_waiting_is_dropped_when_the_client_leaves():
    done = []

    async def app(scope, receive, send):
        await anyio.sleep(60)  # waiting for a thread-pool slot
        done.append(True)
        await answer(send)

    sent = serve(app, GET, client([{"type": "http.request", "body": b""}], leave_after=0.05))
    assert not done and not sent


def test_work_running_in_a_thread_finishes_but_is_not_answered():
    done = []

    async def app(scope, receive, send):
        await anyio.to_thread.run_sync(time.sleep, 0.3)  # a write in progress
        done.append(True)
        await anyio.sleep(0)
        await answer(send)

    sent = serve(app, GET, client([{"type": "http.request", "body": b""}], leave_after=0.05))
    assert done == [True] and not sent


def test_a_client_that_stays_gets_its_body_and_its_answer():
    got = []

    async def app(scope, receive, send):
        while True:
            msg = await receive()
            got.append(msg.get("body", b""))
            if not msg.get("more_body"):
                break
        await anyio.sleep(0.2)
        await answer(send)

    chunks = [
        {"type": "http.request", "body": b"abc", "more_body": True},
        {"type": "http.request", "body": b"def", "more_body": False},
    ]
    sent = serve(app, POST, client(chunks, leave_after=None))
    assert b"".join(got) == b"abcdef"
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


def test_a_route_waiting_for_the_disconnect_still_sees_it():
    seen = []

    async def app(scope, receive, send):
        assert (await receive())["type"] == "http.request"
        seen.append((await receive())["type"])  # the long poll's own watch

    serve(app, GET, client([{"type": "http.request", "body": b""}], leave_after=0.05))
    assert seen == ["http.disconnect"]


def test_leaving_after_the_answer_started_cancels_nothing():
    done = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await anyio.sleep(0.2)  # streaming a big answer
        done.append(True)
        await send({"type": "http.response.body", "body": b"ok"})

    sent = serve(app, GET, client([{"type": "http.request", "body": b""}], leave_after=0.05))
    assert done == [True] and len(sent) == 2
