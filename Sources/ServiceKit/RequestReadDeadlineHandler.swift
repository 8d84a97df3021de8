import NIOCore
import NIOHTTP1

/// Bounds the time from a request's head to the end of its body, so a client sending its body a
/// byte a second cannot hold a connection (and the handler reading it) for minutes: every chunk
/// counts as activity, so the idle timeout alone never fires.
///
/// When the deadline passes, the request's part stream fails with `RequestReadTimeout`: the
/// handler reading the body sees it (the middleware answers 408 with `Connection: close`), and
/// Hummingbird, finding the stream failed when it reads past the request, closes the connection.
final class RequestReadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var timedOut = false

    init(timeout: Duration) {
        self.timeout = TimeAmount(timeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // What arrives after the deadline belongs to a request already failed.
        guard !timedOut else { return }
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            // The task runs on the channel's event loop, where the handler and its context live.
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: timeout) {
                bound.value.handler.expire(context: bound.value.context)
            }
        case .end:
            deadline?.cancel()
            deadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func expire(context: ChannelHandlerContext) {
        deadline = nil
        timedOut = true
        context.fireErrorCaught(RequestReadTimeout())
        // The 408 goes out within moments and ends the sending half; a client still trickling
        // its body is not worth a descriptor until the idle timeout, so the rest closes soon after.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.lingerAfterTimeout) { channel.close(promise: nil) }
    }

    /// Time for the 408 to reach the client before the connection closes under it.
    static let lingerAfterTimeout = TimeAmount.seconds(2)
}

/// The request's head arrived but its body did not finish within HTTP_REQUEST_READ_TIMEOUT.
public struct RequestReadTimeout: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "the request body did not arrive within the read timeout" }
}

@available(*, unavailable)
extension RequestReadDeadlineHandler: Sendable {}
