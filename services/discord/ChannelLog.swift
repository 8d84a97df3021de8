public import Foundation
import FleetContracts

/// The simulated server's text channels: what POST /mcp/send_message posts and GET /mcp/messages
/// reads back, the way the original's bot posted into real Discord channels.
public actor ChannelLog {
    public struct Message: Sendable, Codable, Equatable {
        public var messageId: String
        public var channelId: String
        public var author: String
        public var content: String
        public var timestamp: Date
    }

    /// Where the bridge posts replies it could not speak.
    public static let voiceTextChannel = "voice-text"

    public let capacity: Int
    private var messages: [Message] = []
    /// Discord ids are snowflakes: time-ordered 64-bit numbers. These are too, from a fixed epoch.
    private var lastID: UInt64 = 0

    public init(capacity: Int = 200) {
        self.capacity = max(1, capacity)
    }

    @discardableResult
    public func post(channelID: String, content: String, author: String = "Atlas", at date: Date = Date()) -> Message {
        let discordEpochMs: UInt64 = 1_420_070_400_000
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000)) &- discordEpochMs
        lastID = max(millis << 22, lastID + 1)
        // Messages are shown on the page and by /mcp/messages: kept redacted (PIIRedactor).
        let message = Message(messageId: String(lastID), channelId: channelID, author: author,
                              content: PIIRedactor.shared.redacted(content),
                              timestamp: date)
        messages.append(message)
        if messages.count > capacity { messages.removeFirst(messages.count - capacity) }
        return message
    }

    /// Newest last; only one channel's when `channelID` is given.
    public func recent(channelID: String? = nil, limit: Int = 50) -> [Message] {
        Array(messages.filter { channelID == nil || $0.channelId == channelID }.suffix(limit))
    }
}
