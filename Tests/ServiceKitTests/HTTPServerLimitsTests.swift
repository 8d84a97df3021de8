import FleetTelemetry
import ServiceKit
import Testing

/// The server's timeouts and connection cap are settings with safe defaults, and a value that
/// would disable a guard (zero, negative, not a number) stops start-up naming the variable.
@Suite("HTTP server limits settings")
struct HTTPServerLimitsTests {
    @Test("defaults: 75 s idle, 60 s to read a request, 4096 connections")
    func defaults() throws {
        let limits = try ServiceSettings.forTesting(member: .stt).httpServer
        #expect(limits == HTTPServerLimits(idleTimeout: .seconds(75), requestReadTimeout: .seconds(60), maxConnections: 4096))
    }

    @Test("seconds may be fractions")
    func fractions() throws {
        let limits = try ServiceSettings.forTesting(member: .stt, environment: [
            "HTTP_IDLE_TIMEOUT": "0.25", "HTTP_REQUEST_READ_TIMEOUT": "5", "HTTP_MAX_CONNECTIONS": "100"]).httpServer
        #expect(limits.idleTimeout == .milliseconds(250))
        #expect(limits.requestReadTimeout == .seconds(5))
        #expect(limits.maxConnections == 100)
    }

    @Test("a value that would switch a guard off is refused, naming the variable", arguments: [
        ("HTTP_IDLE_TIMEOUT", "0"), ("HTTP_IDLE_TIMEOUT", "soon"), ("HTTP_REQUEST_READ_TIMEOUT", "-1"),
        ("HTTP_REQUEST_READ_TIMEOUT", "inf"), ("HTTP_MAX_CONNECTIONS", "0"), ("HTTP_MAX_CONNECTIONS", "1.5"),
    ])
    func refused(variable: String, value: String) {
        #expect {
            _ = try ServiceSettings.forTesting(member: .stt, environment: [variable: value])
        } throws: { error in
            (error as? SettingsError)?.variable == variable
        }
    }
}
