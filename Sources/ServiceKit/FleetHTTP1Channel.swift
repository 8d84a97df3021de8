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

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        let readTimeout = limits.requestReadTimeout
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
