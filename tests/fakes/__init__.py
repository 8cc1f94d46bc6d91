"""Local stand-ins for provider APIs: real HTTP/1.1 keep-alive servers the real client libraries talk to."""

from __future__ import annotations

from http.server import ThreadingHTTPServer


class LocalServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog as deep as a real server's.

    ``socketserver`` listens with a backlog of 5. A client opening more connections than that at once (PTB's
    pool of 32 under 20 concurrent sends) overflows it: Linux falls back to SYN cookies, drops handshakes it
    cannot queue (``ListenOverflows`` in ``nstat``), and answers the client's next packets on some of them with
    a reset (``SyncookiesFailed``), which httpx reports as ``ReadError``. Real servers listen with a backlog in
    the hundreds or more.
    """

    daemon_threads = True
    request_queue_size = 128
