import Foundation

/// Where the PostgreSQL conversation store connects: ORCHESTRATOR_DATABASE_URL,
/// `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|require|verify-full`, as libpq writes it.
///
/// User, password and database are percent-decoded (a password with `@` or `/` is written `%40`,
/// `%2F`). Without a password in the URL, PGPASSWORD supplies it. The port defaults to 5432 and the
/// database to the user's name, as with libpq.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    /// `disable` (the default: loopback, a compose network or a cluster's own network) and libpq's
    /// `require` (encrypted, the server's certificate not checked) and `verify-full` (encrypted, the
    /// certificate checked against the system's trust roots and the host name).
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, require
        case verifyFull = "verify-full"
    }

    public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
                sslMode: SSLMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// What a malformed URL is told it should be.
    static let expected = "postgres://USER:PASSWORD@HOST:PORT/DATABASE (optionally ?sslmode=disable|require|verify-full)"

    /// Parses `text`; nil when it is not a usable postgres:// URL. `fallbackPassword` is PGPASSWORD.
    public init?(_ text: String, fallbackPassword: String? = nil) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty,
              let username = components.user, !username.isEmpty
        else { return nil }
        if let port = components.port {
            guard (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = 5432
        }
        // "/name", decoded; nothing or "/" means libpq's default, the user's name. No nested paths.
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { return nil }
        database = path.isEmpty ? username : path
        var sslMode = SSLMode.disable
        for item in components.queryItems ?? [] {
            // Any other parameter would be silently ignored; better to refuse it.
            guard item.name == "sslmode", let value = item.value.flatMap(SSLMode.init(rawValue:)) else { return nil }
            sslMode = value
        }
        self.sslMode = sslMode
        self.host = host
        self.username = username
        let password = components.password ?? fallbackPassword
        self.password = password?.isEmpty == true ? nil : password
    }

    /// The URL as logs and error messages may show it: the password replaced by `***`.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(sslMode.rawValue)"
    }

    /// `text` with any password replaced by `***`, for an error message about a URL that did not parse.
    static func redacting(_ text: String) -> String {
        guard let components = URLComponents(string: text), components.percentEncodedPassword != nil,
              let range = components.rangeOfPassword
        else {
            // Not even URL-shaped: keep the scheme only, in case a password hides in it.
            if let at = text.lastIndex(of: "@") { return "***" + text[at...] }
            return text
        }
        return text.replacingCharacters(in: range, with: "***")
    }
}
