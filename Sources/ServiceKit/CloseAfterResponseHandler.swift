import NIOCore
import NIOHTTP1

/// Keeps the promise a `Connection: close` response makes (RFC 9112 §9.6): once the response is
/// written, the server stops sending. Hummingbird closes only when the *request* said close, so
/// without this a 413 left the connection open, and a client reading its answer to the end waited
/// for its own timeout.
///
/// Only the sending half is closed: the client sees the whole answer and then end-of-stream at
/// once, while whatever it is still writing is read and dropped rather than answered with a reset
/// that could destroy the answer in flight. The connection closes fully when the client closes its
/// side, or when the idle or read timeout ends it.
final class CloseAfterResponseHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var closeAfterThisResponse = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAfterThisResponse = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterThisResponse else {
                context.write(data, promise: promise)
                return
            }
            closeAfterThisResponse = false
            context.writeAndFlush(data, promise: promise)
            context.close(mode: .output, promise: nil)
        }
    }
}

@available(*, unavailable)
extension CloseAfterResponseHandler: Sendable {}
