"""A stand-in OTLP/HTTP receiver: answers every export with 200 and an empty protobuf body (an
Export*ServiceResponse that rejects nothing), so the fleet's exporters, and the OTLP relays they
send through, run as they do against a collector. Nothing is kept; the exports are counted.

Used by dashboard_test.py (`otlp-sink --port N`, in a process of its own) and by
scripts/bench/telemetry.py (on a thread of the benchmark, outside the fleet's CPU)."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OTLPSink(ThreadingHTTPServer):
    """Listens on 127.0.0.1:`port` (0: a free one, see `endpoint`)."""

    daemon_threads = True

    def __init__(self, port=0):
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - the http.server hook's name
                if "chunked" in (self.headers.get("Transfer-Encoding") or ""):
                    while (size := int(self.rfile.readline().split(b";")[0] or b"0", 16)) > 0:
                        self.rfile.read(size + 2)
                    self.rfile.readline()
                else:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.exports += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.exports = 0
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def serve_in_background(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self
