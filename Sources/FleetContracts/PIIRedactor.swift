import Foundation

/// Finds personal data in text and replaces it with a tag naming its kind, so a transcript or a
/// reply can be logged and passed on without the email address, phone number, social security
/// number or card number in it.
///
/// It lives here, not in guardrails, because the guardrails' verdict only reaches what passes
/// through them: the bridge's turn log and page, the dashboard's feed, testing-ui's run history,
/// log lines and spans all hold text the guardrails never saw, or saw after it was stored. Every
/// service redacts with this one type (`PIIRedactor.shared.redacted`) wherever user text is shown,
/// stored, logged or put on a span.
///
/// Patterns run in a fixed order — email, card, SSN, phone — because earlier ones would otherwise
/// be chopped up by later ones (the digits of a card number look like a phone number).
public struct PIIRedactor: Sendable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case email = "EMAIL"
        case creditCard = "CREDIT_CARD"
        case ssn = "SSN"
        case phone = "PHONE"

        /// What the match is replaced with, e.g. `[EMAIL_REDACTED]`.
        public var tag: String { "[\(rawValue)_REDACTED]" }

        /// A short description for GET /rules.
        public var summary: String {
            switch self {
            case .email: return "email addresses (name@example.com)"
            case .creditCard: return "card numbers: 13-19 digits, optionally grouped by spaces or dashes, Luhn-checked"
            case .ssn: return "US social security numbers written ###-##-####"
            case .phone: return "phone numbers in US form ((555) 123-4567, 555-123-4567, +1 555 123 4567) "
                + "and international form (+44 20 7946 0958; 8-15 digits after the +)"
            }
        }
    }

    public struct Result: Sendable, Equatable {
        public var text: String
        /// The kinds found, each once, in the order of `Kind.allCases`.
        public var kinds: [Kind]
    }

    private struct Rule: Sendable {
        let kind: Kind
        let regex: NSRegularExpression
        /// A second look at a match the pattern alone cannot settle (Luhn, digit counts).
        let accepts: @Sendable (String) -> Bool
    }

    private let rules: [Rule]

    /// The one every service shares: the patterns compile once per process.
    public static let shared = PIIRedactor()

    public init() {
        func regex(_ pattern: String) -> NSRegularExpression {
            // The patterns are constants of this file; a typo is a programming error caught by the tests.
            try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        }
        rules = [
            Rule(kind: .email,
                 regex: regex(#"(?<![\w.%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"#),
                 accepts: { _ in true }),
            // Digits in groups separated by single spaces or dashes; not glued to other digits.
            Rule(kind: .creditCard,
                 regex: regex(#"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])"#),
                 accepts: { Self.passesLuhn(Self.digits(of: $0)) }),
            Rule(kind: .ssn,
                 regex: regex(#"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"#),
                 accepts: { _ in true }),
            // US: optional +1, area code with or without parentheses, 3 + 4 digits.
            Rule(kind: .phone,
                 regex: regex(#"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w])"#),
                 accepts: { _ in true }),
            // International: + country code, then groups of digits (E.164 allows at most 15 digits).
            Rule(kind: .phone,
                 regex: regex(#"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){1,6}(?![\w])"#),
                 accepts: { (8...15).contains(Self.digits(of: $0).count) }),
        ]
    }

    public func redact(_ text: String) -> Result {
        var output = text
        var found = Set<Kind>()
        for rule in rules {
            let source = output as NSString
            var pieces: [String] = []
            var cursor = 0
            for match in rule.regex.matches(in: output, range: NSRange(location: 0, length: source.length)) {
                let candidate = source.substring(with: match.range)
                guard rule.accepts(candidate) else { continue }
                pieces.append(source.substring(with: NSRange(location: cursor, length: match.range.location - cursor)))
                pieces.append(rule.kind.tag)
                cursor = match.range.location + match.range.length
                found.insert(rule.kind)
            }
            guard !pieces.isEmpty else { continue }
            pieces.append(source.substring(from: cursor))
            output = pieces.joined()
        }
        return Result(text: output, kinds: Kind.allCases.filter(found.contains))
    }

    /// `text` with its personal data replaced by tags.
    public func redacted(_ text: String) -> String {
        redact(text).text
    }

    /// `text` redacted, nil kept.
    public func redacted(_ text: String?) -> String? {
        text.map(redacted)
    }

    public static func digits(of text: String) -> [Int] {
        text.unicodeScalars.compactMap { ("0"..."9").contains($0) ? Int($0.value - 48) : nil }
    }

    /// The Luhn checksum every payment card number carries: it tells a card number from an
    /// order number or a timestamp that merely has the right length.
    public static func passesLuhn(_ digits: [Int]) -> Bool {
        guard (13...19).contains(digits.count) else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
