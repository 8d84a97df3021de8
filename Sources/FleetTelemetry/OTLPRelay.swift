public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A loopback TCP relay between this process's OTLP exporters and the collector, so the
/// `otlpBlackhole` scenario can black-hole the endpoint for real.
///
/// swift-otel fixes each exporter's endpoint when it is made and offers no hook to change it or to
/// wrap the exporter, so the switch sits on the network path instead: the exporters send to this
/// relay on 127.0.0.1, and it copies bytes to and from the configured collector. It does not parse
/// them, so it carries OTLP/HTTP and OTLP/gRPC alike. Plain TCP only: an https endpoint is not
/// relayed (the exporter's TLS session is with the collector), and the scenario cannot act on it.
///
/// While black-holed the relay still accepts connections and reads everything sent, but forwards
/// nothing and answers nothing: what an exporter sees when its endpoint black-holes packets, an
/// export that times out. A connection that was forwarding when the hole opened is swallowed from
/// then on (its half-sent request could not be resumed anyway); once the hole closes, the exporter
/// gives up on it after its timeout and its next connection is forwarded again.
public final class OTLPRelay: Service, Sendable {
    /// The collector the relay forwards to.
    public struct Upstream: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { "\(host):\(port)" }
    }

    /// What became of a connection, the `outcome` label of `otlp_relay_connections_total`.
    enum Outcome: String {
        case forwarded, blackholed, failed
        /// Forwarded, but the collector never answered before the connection ended: an export the
        /// exporter gave up on (a collector that accepts and black-holes), counted on top of `forwarded`.
        case unanswered
    }

    public let upstream: Upstream
    /// The loopback port the exporters send to.
    public let port: Int
    private let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let group: any EventLoopGroup
    private let blackholed = Atomic<Bool>(false)

    private init(upstream: Upstream, port: Int, listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
                 group: any EventLoopGroup) {
        self.upstream = upstream
        self.port = port
        self.listener = listener
        self.group = group
    }

    /// Binds the relay on 127.0.0.1 on a free port. Connections wait in the listen queue until
    /// `run` serves them, so the exporters may be made (and pointed at `port`) before it runs.
    public static func bind(forwardingTo upstream: Upstream) async throws -> OTLPRelay {
        let group = MultiThreadedEventLoopGroup.singleton
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard let port = listener.channel.localAddress?.port else {
            try? await listener.channel.close()
            throw ChannelError.unknownLocalAddress
        }
        return OTLPRelay(upstream: upstream, port: port, listener: listener, group: group)
    }

    /// Opens or closes the black hole; takes effect on the next bytes of every connection.
    public func setBlackholed(_ on: Bool) {
        blackholed.store(on, ordering: .relaxed)
    }

    public var isBlackholed: Bool { blackholed.load(ordering: .relaxed) }

    /// Serves connections until the service group shuts down (in a service, after the exporters,
    /// which therefore make their final export through it) or the task is cancelled.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.listener.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
        } catch where Task.isCancelledOrShuttingDown {
            // Stopping ends the accept loop with a CancellationError: the end we asked for, not a
            // failure (rethrown, it would make a clean SIGTERM exit with an error).
        }
    }

    // MARK: One connection

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        if isBlackholed {
            count(.blackholed)
            await swallow(connection)
            return
        }
        let collector: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            collector = try await connectUpstream()
        } catch {
            // The exporter sees its connection closed, as it would see the collector refuse it.
            count(.failed)
            try? await connection.executeThenClose { _, _ in }
            return
        }
        count(.forwarded)
        let passage = Passage()
        try? await connection.executeThenClose { fromExporter, toExporter in
            try await collector.executeThenClose { fromCollector, toCollector in
                // Either side ending (the exporter gives up, the collector closes) ends both.
                try await withThrowingTaskGroup(of: Void.self) { pumps in
                    pumps.addTask { try await self.pump(fromExporter, into: toCollector, passage, from: .exporter) }
                    pumps.addTask { try await self.pump(fromCollector, into: toExporter, passage, from: .collector) }
                    try await pumps.next()
                    pumps.cancelAll()
                }
            }
        }
        if passage.wentUnanswered { count(.unanswered) }
    }

    /// Copies bytes one way, or drops them once the connection has been swallowed.
    private func pump(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, into outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                      _ passage: Passage, from side: Passage.Side) async throws {
        for try await bytes in inbound {
            passage.heard(from: side)
            switch passage.admit(blackholed: isBlackholed) {
            case .pass: try await outbound.write(bytes)
            case .swallowFromNowOn: count(.blackholed)
            case .swallow: continue
            }
        }
    }

    /// Reads and discards everything until the exporter gives up and closes the connection.
    private func swallow(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, _ in
            for try await _ in inbound {}
        }
    }

    private func connectUpstream() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: group)
            // Well inside the exporters' own 2 s default timeout, so they see a failure, not a hang.
            .connectTimeout(.seconds(1))
            .connect(host: upstream.host, port: upstream.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    private func count(_ outcome: Outcome) {
        MetricCatalog.otlpRelayConnections.increment(["outcome": outcome.rawValue])
    }
}

/// Whether one forwarded connection still passes bytes: it does until the first bytes that meet
/// the black hole open, and never again after (both directions share it); and whether the
/// collector ever answered what the exporter sent.
private final class Passage: Sendable {
    enum Decision { case pass, swallowFromNowOn, swallow }

    private let swallowing = Atomic<Bool>(false)
    private let exporterSent = Atomic<Bool>(false)
    private let collectorAnswered = Atomic<Bool>(false)

    enum Side { case exporter, collector }

    func heard(from side: Side) {
        switch side {
        case .exporter: exporterSent.store(true, ordering: .relaxed)
        case .collector: collectorAnswered.store(true, ordering: .relaxed)
        }
    }

    /// The exporter sent a request and the collector never said a byte back.
    var wentUnanswered: Bool { exporterSent.load(ordering: .relaxed) && !collectorAnswered.load(ordering: .relaxed) }

    func admit(blackholed: Bool) -> Decision {
        if swallowing.load(ordering: .relaxed) { return .swallow }
        guard blackholed else { return .pass }
        return swallowing.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
            ? .swallowFromNowOn : .swallow
    }
}
