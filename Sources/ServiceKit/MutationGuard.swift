import Configuration
import FleetTelemetry
import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import Synchronization

/// Guards the pages' mutating endpoints — session delete, turn reports, scenario and load switches —
/// so they accept only what the fleet itself sends, or a shared token when bound beyond loopback.
///
/// The threat model (docs/operations/security.md):
/// - **A web page in the operator's browser** (CSRF, or DNS rebinding: a hostile name that resolves
///   to 127.0.0.1). Browsers mark such requests: a cross-site request carries an `Origin` that is
///   not the service's own, or `Sec-Fetch-Site: cross-site`/`same-site`; a rebinding page talks to
///   the service under its own host name. So a request whose `Origin` differs from its `Host`, whose
///   `Sec-Fetch-Site` is anything but `same-origin` or `none`, or (on a loopback bind) whose `Host`
///   is not a loopback name or address is refused with 403 `forbidden`. The fleet's own callers
///   (AsyncHTTPClient, the CLI) send no `Origin`, so they pass.
/// - **Anyone else who can reach the port.** On loopback that is the host's own users, as with any
///   local developer tool. Bound beyond loopback (HOST=0.0.0.0, as in compose) the network can
///   reach it, so FLEET_API_TOKEN is required there: start-up fails without it, and every guarded
///   request must carry `Authorization: Bearer <token>` (401 `unauthorized` otherwise). The fleet's
///   callers send it (`DownstreamClient`, the CLI), and the pages' own script sends it from a
///   `<meta name="fleet-api-token">` its same-origin page carries: whoever may open the page may
///   use its buttons, nobody else may.
/// When FLEET_API_TOKEN is set on loopback too, it is required there as well.
/// Refusals are answered in the fleet's error shape and counted in `http_server_errors_total`
/// (error_type `forbidden` or `unauthorized`).
public struct MutationGuard: RouterMiddleware {
    public typealias Context = FleetRequestContext

    /// FLEET_API_TOKEN, or nil when unset (only allowed on loopback).
    let token: String?
    /// HOST is a loopback address (the native default, 127.0.0.1).
    let loopbackBind: Bool

    /// Reads HOST and FLEET_API_TOKEN; throws when the service is bound beyond loopback without a
    /// token, since its mutating endpoints would then be open to the network.
    public init(settings: ServiceSettings) throws {
        try self.init(host: settings.host, token: FleetAPIToken.configured(in: settings))
    }

    /// A guard for a loopback bind without a token: cross-site and rebinding requests refused.
    /// What a controller uses until its service hands it the configured one (tests build
    /// controllers directly).
    public static let loopbackDefault = try! MutationGuard(host: "127.0.0.1", token: nil)

    init(host: String, token: String?) throws {
        self.loopbackBind = Self.isLoopback(host: host)
        if let token, token.count < 16 {
            throw SettingsError(variable: "FLEET_API_TOKEN", value: "(\(token.count) characters)",
                                expected: "at least 16 characters, e.g. `openssl rand -hex 16`")
        }
        guard loopbackBind || token != nil else {
            throw SettingsError(variable: "FLEET_API_TOKEN", value: "",
                                expected: "a shared token (e.g. `openssl rand -hex 16`) when HOST=\(host) binds beyond "
                                    + "loopback: the mutating endpoints would otherwise be open to the network")
        }
        self.token = token
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = refusal(of: request.head) { throw refusal }
        return try await next(request, context)
    }

    /// Why `head` is refused, or nil when it may go through.
    func refusal(of head: HTTPRequest) -> FleetError? {
        // A browser always sends Host; a request without one (HTTP/1.0, a test client) is no page's.
        let host = head.authority ?? ""
        if loopbackBind, !host.isEmpty, !Self.isLoopback(host: Self.hostName(ofAuthority: host)) {
            return FleetError(status: .forbidden, code: .forbidden, message:
                "Host '\(host.prefix(100))' is not a loopback name: this service is bound to loopback and answers "
                    + "mutating requests for localhost or 127.0.0.1 only.")
        }
        if let fetchSite = head.headerFields[Self.secFetchSite]?.lowercased(), !["same-origin", "none"].contains(fetchSite) {
            return FleetError(status: .forbidden, code: .forbidden, message:
                "A \(fetchSite) request may not change this service (Sec-Fetch-Site); use its own page.")
        }
        if let origin = head.headerFields[.origin], !Self.origin(origin, matches: host) {
            return FleetError(status: .forbidden, code: .forbidden, message:
                "Origin '\(origin.prefix(100))' is not this service's own; cross-site requests may not change it.")
        }
        if let token {
            let sent = head.headerFields[.authorization].flatMap { value -> String? in
                value.lowercased().hasPrefix("bearer ") ? String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces) : nil
            }
            guard let sent, Self.constantTimeEqual(sent, token) else {
                return FleetError(status: .unauthorized, code: .unauthorized, message:
                    "This endpoint changes the fleet: send the fleet's shared token as `Authorization: Bearer <FLEET_API_TOKEN>`.")
            }
        }
        return nil
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// 127.0.0.0/8, ::1, localhost (and *.localhost, which resolves to loopback by RFC 6761).
    static func isLoopback(host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `example:8080` -> `example`, `[::1]:80` -> `[::1]`.
    static func hostName(ofAuthority authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }

    /// An `Origin` (`http://127.0.0.1:8080`) names the same host and port as the request's `Host`.
    static func origin(_ origin: String, matches authority: String) -> Bool {
        guard let url = URL(string: origin), let scheme = url.scheme, let host = url.host else { return false }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let expected = authority.contains(":") && !authority.hasSuffix("]") ? authority : authority + ":80"
        return "\(hostPart):\(port)".lowercased() == expected.lowercased()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<min(left.count, right.count) { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

extension RouterGroup where Context == FleetRequestContext {
    /// A group whose routes pass through `mutationGuard`; the routes keep their paths.
    public func guarded(by mutationGuard: MutationGuard) -> RouterGroup<FleetRequestContext> {
        group().add(middleware: mutationGuard)
    }
}

/// The shared token the fleet's own callers send to guarded endpoints (`DownstreamClient`) and its
/// pages embed; set once per process at start-up (ServiceRunner) from FLEET_API_TOKEN, nil when unset.
public enum FleetAPIToken {
    private static let value = Mutex<String?>(nil)

    public static var current: String? { value.withLock { $0 } }

    /// FLEET_API_TOKEN as the settings give it; nil when unset or empty.
    static func configured(in settings: ServiceSettings) -> String? {
        settings.reader.string(forKey: "fleet.api.token", isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Makes the configured token the one this process sends and embeds.
    static func adopt(from settings: ServiceSettings) {
        let token = configured(in: settings)
        value.withLock { $0 = token }
    }

    /// `Authorization: Bearer <token>`, or nothing without a token.
    public static var headers: [(String, String)] { current.map { [("authorization", "Bearer \($0)")] } ?? [] }
}
