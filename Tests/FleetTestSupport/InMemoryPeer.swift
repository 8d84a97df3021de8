import FleetTelemetry
public import ServiceKit

/// A fake peer: always live, at a `memory://` address. Conform a fake of any FleetContracts
/// protocol to it and give it a `name`.
public protocol InMemoryPeer: Peer {}

extension InMemoryPeer {
    public var url: String { "memory://\(name)" }
    public func isLive() async -> Bool { true }
}

/// The error a fake returns when told to fail: what a real client throws for a refused connection.
public func peerUnavailable(_ peer: String) -> FleetError {
    FleetError.downstream(.unavailable, peer: peer, "connection refused")
}
