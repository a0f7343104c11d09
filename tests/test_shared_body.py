"""A body made once and streamed to the requests that share its key (console.server.shared_body:
the gzip'd snapshot for consoles starting together)."""

from __future__ import annotations

import threading

import pytest

from console.server.shared_body import BodyFailed, SharedBody


class Maker:
    """Bodies b"<n>:0", b"<n>:1", ... (n: which make), each chunk released by ``go``."""

    def __init__(self, chunks: int = 3, fail_at: int | None = None):
        self.made = 0
        self.chunks, self.fail_at = chunks, fail_at
        self.go = threading.Semaphore(0)

    def __call__(self):
        self.made += 1
        n = self.made

        def body():
            for i in range(self.chunks):
                self.go.acquire()
                if i == self.fail_at:
                    raise OSError("the database went away")
                yield f"{n}:{i},".encode()

        return body()

    def release(self, k: int = 100) -> None:
        for _ in range(k):
            self.go.release()


def test_requests_while_it_is_made_and_just_after_share_one_body():
    shared, make = SharedBody("test", reuse_s=5.0), Maker()
    first = shared.read("seq 7", 100.0, make)
    make.release(1)
    assert next(first) == b"1:0,"  # the first bytes leave before the body is whole
    second = shared.read("seq 7", 101.0, make)  # while it is made: from its first chunk
    make.release()
    assert b"".join(first) == b"1:1,1:2,"
    assert b"".join(second) == b"1:0,1:1,1:2,"
    assert b"".join(shared.read("seq 7", 105.0, make)) == b"1:0,1:1,1:2,"  # whole, reused
    assert make.made == 1


@pytest.mark.parametrize(
    "key, now",
    [("seq 8", 101.0), ("seq 7", 105.5), ("seq 7", 99.0)],
    ids=["changed", "late", "early"],
)
def test_a_request_after_a_change_or_out_of_its_time_gets_its_own(key, now):
    shared, make = SharedBody("test", reuse_s=5.0), Maker()
    make.release()
    assert b"".join(shared.read("seq 7", 100.0, make)) == b"1:0,1:1,1:2,"
    assert b"".join(shared.read(key, now, make)) == b"2:0,2:1,2:2,"
    assert make.made == 2


def test_a_reader_that_goes_away_leaves_the_others_theirs():
    shared, make = SharedBody("test", reuse_s=5.0), Maker()
    gone, staying = shared.read("k", 0.0, make), shared.read("k", 0.0, make)
    make.release(1)
    assert next(gone) == b"1:0,"
    gone.close()  # the console hung up mid-stream
    make.release()
    assert b"".join(staying) == b"1:0,1:1,1:2,"


def test_a_body_that_fails_breaks_its_readers_and_is_made_again():
    shared, make = SharedBody("test", reuse_s=5.0), Maker(fail_at=1)
    reader = shared.read("k", 0.0, make)
    make.release()
    assert next(reader) == b"1:0,"
    with pytest.raises(BodyFailed):
        next(reader)
    make.fail_at = None
    assert b"".join(shared.read("k", 1.0, make)) == b"2:0,2:1,2:2,"
