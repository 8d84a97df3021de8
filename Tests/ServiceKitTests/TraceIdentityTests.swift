import ServiceKit
import Testing
import Tracing

/// The trace id a voice turn and a testing-ui run show, so a person can find the trace in Jaeger.
@Suite("Trace identity")
struct TraceIdentityTests {
    @Test("trace ids come from a valid W3C traceparent only")
    func traceparent() {
        #expect(TraceIdentity.traceID(fromTraceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")
            == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(TraceIdentity.traceID(fromTraceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01") == nil)
        #expect(TraceIdentity.traceID(fromTraceparent: "00-4bf92f3577b34da6-00f067aa0ba902b7-01") == nil)
        #expect(TraceIdentity.traceID(fromTraceparent: "00-zzf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == nil)
        #expect(TraceIdentity.traceID(fromTraceparent: "garbage") == nil)
    }

    @Test("without a tracer there is no trace id to show")
    func noTracer() {
        #expect(TraceIdentity.traceID(of: .topLevel) == nil)
    }
}
