import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 child channel with the fleet's two connection guards added right after
/// NIO's request decoder, where requests and responses are still NIOHTTP1 parts:
/// `RequestReadDeadlineHandler` (a request's body must arrive within HTTP_REQUEST_READ_TIMEOUT)
/// and `CloseAfterResponseHandler` (a `Connection: close` answer ends the connection).
/// Hummingbird's own idle timeout (HTTP_IDLE_TIMEOUT) covers idle connections and half-sent heads.
struct FleetHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel
    let limits: HTTPServerLimits

    init(responder: @escaping HTTPChannelHandler.Responder, limits: HTTPServerLimits) {
        http1 = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(limits.idleTimeout)))
        self.limits = limits
    }

    /// How a connection reads: one read of at most 16 KiB per wake-up, into a buffer kept for the
    /// next read. NIO's defaults are four reads per wake-up of up to 64 KiB, and a connection keeps
    /// every buffer it needed at once (one per read whose bytes the request body still holds), each
    /// grown to the largest read it has seen, for as long as it stays open. A service keeps its
    /// peers' connections open between requests, so these buffers were most of what an idle
    /// connection cost: the dashboard's nineteen open OTLP export connections held 0.8 MB of them
    /// (heaptrack). With these settings an idle connection keeps one buffer of at most 16 KiB, and a
    /// 100 KB export takes seven reads instead of two.
    static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16 * 1024)

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let readTimeout = limits.requestReadTimeout
        do {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveBuffers)
            try channel.syncOptions?.setOption(ChannelOptions.maxMessagesPerRead, value: 1)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandlers([RequestReadDeadlineHandler(timeout: readTimeout), CloseAfterResponseHandler()],
                                     position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the fleet's timeouts and connection guards.
    static func fleetHTTP1(_ limits: HTTPServerLimits) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in FleetHTTP1Channel(responder: responder, limits: limits) }
    }
}
