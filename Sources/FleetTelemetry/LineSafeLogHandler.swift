public import Logging

/// Wraps the handler that writes text lines (stdout, which `audio-fleet up` sends to var/log/*.log)
/// so that one log call is always one line.
///
/// Log messages and metadata carry text from outside — an escalation's reason, a transcript, a
/// header — and a newline in it would forge a whole line of its own, a carriage return or an ANSI
/// escape would rewrite what a terminal shows. Every control character in the message, the
/// metadata (keys and values, nested ones too) and an attached error is therefore written as a
/// visible escape before the line is formatted. The OTLP log records are structured and go
/// unescaped, so they keep the original text.
public struct LineSafeLogHandler<Wrapped: LogHandler>: LogHandler {
    private var wrapped: Wrapped

    public init(_ wrapped: Wrapped) {
        self.wrapped = wrapped
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = LogLineEscaping.escape(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: LogLineEscaping.escape(key)] = newValue.map(LogLineEscaping.escape) }
    }

    public func log(event: LogEvent) {
        var safe = event
        safe.message = "\(LogLineEscaping.escape(event.message.description))"
        var metadata = event.metadata.map(LogLineEscaping.escape)
        if let error = event.error {
            // The stream handler would print the error's description as it is.
            metadata = (metadata ?? [:]).merging([
                "error.message": .string(LogLineEscaping.escape("\(error)")),
                "error.type": .string(LogLineEscaping.escape(String(reflecting: type(of: error)))),
            ]) { explicit, _ in explicit }
            safe.error = nil
        }
        safe.metadata = metadata
        wrapped.log(event: safe)
    }
}

/// How text that could break a log line is written instead.
public enum LogLineEscaping {
    /// `text` with every character that could end, rewrite or reorder a line written as an escape:
    /// `\n`, `\r`, `\t`, the backslash itself (so an escape in the output is never ambiguous), the
    /// other C0 and C1 controls and DEL as `\u{1B}`, the Unicode line and paragraph separators
    /// (U+2028, U+2029) and the bidirectional overrides (U+202A–U+202E, U+2066–U+2069).
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\\": output += "\\\\"
            case _ where needsEscape(scalar):
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Every value in `metadata`, and every key, escaped.
    public static func escape(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Dictionary(metadata.map { (escape($0.key), escape($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    /// A metadata value escaped; a string-convertible becomes its escaped description.
    public static func escape(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(escape(text))
        case .stringConvertible(let convertible): .string(escape(convertible.description))
        case .array(let values): .array(values.map(escape))
        case .dictionary(let metadata): .dictionary(escape(metadata))
        @unknown default: .string(escape("\(value)"))
        }
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x5C, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
