import ArgumentParser
import AsyncHTTPClient
import FleetTelemetry
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// A call from the command line to a running service: the fleet's JSON in and out. A refusal
/// (4xx, 5xx) or an unreachable service becomes a `FleetCallFailure` whose text is the service's
/// own message, so the user reads what to change rather than a status code.
struct FleetCall: Sendable {
    /// The service's base URL, without a trailing slash.
    let base: String
    var timeout: TimeAmount = .seconds(10)

    /// `--url`, else `member`'s URL variable (DISCORD_URL, TESTING_UI_URL), else its default address.
    init(_ member: FleetMember, url: String?) {
        let chosen = url ?? ProcessInfo.processInfo.environment[member.urlVariable] ?? member.defaultURL
        base = chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
    }

    func get<Answer: Decodable>(_ path: String, as _: Answer.Type = Answer.self) async throws -> Answer {
        try await call(.GET, path, body: nil)
    }

    func send<Answer: Decodable>(_ method: HTTPMethod, _ path: String, _ body: some Encodable,
                                 as _: Answer.Type = Answer.self) async throws -> Answer {
        try await call(method, path, body: Array(try JSONEncoder.fleet.encode(body)))
    }

    func post<Answer: Decodable>(_ path: String, as _: Answer.Type = Answer.self) async throws -> Answer {
        try await call(.POST, path, body: nil)
    }

    private func call<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        // The shared token a fleet bound beyond loopback requires on scenario and load switches
        // (MutationGuard); read from the environment as the services read it.
        if let token = ProcessInfo.processInfo.environment["FLEET_API_TOKEN"], !token.isEmpty {
            request.headers.add(name: "authorization", value: "Bearer \(token)")
        }
        if let body {
            request.headers.add(name: "content-type", value: MediaType.json)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 4 * 1024 * 1024).readableBytesView)
        } catch {
            throw FleetCallFailure(message: "\(base) did not answer (\(error)). Is the fleet running? Pass --url to point elsewhere.")
        }
        guard (200..<300).contains(status) else {
            let refusal = try? JSONDecoder.fleet.decode(ErrorBody.self, from: Data(bytes))
            throw FleetCallFailure(message: refusal.map { "\($0.error.message) (\(status) \($0.error.code))" }
                ?? "\(method) \(base + path) answered \(status).")
        }
        do {
            return try JSONDecoder.fleet.decode(Answer.self, from: Data(bytes))
        } catch {
            throw FleetCallFailure(message: "\(base + path) answered JSON this command cannot read: \(error)")
        }
    }

    /// The fleet's error shape, `{"error": {"code", "message", "service"}}`.
    private struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let code: String
            let message: String
        }
        let error: Detail
    }
}

/// A call that failed; `message` is for the person at the terminal.
struct FleetCallFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension AsyncParsableCommand {
    /// Runs `body`, printing a failed call's message to standard error and exiting 1.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as FleetCallFailure {
            FileHandle.standardError.write(Data(("error: " + failure.message + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
