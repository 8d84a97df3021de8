import Foundation

/// How the pages write numbers and times, in one place so every table and chart agrees.
enum DashboardFormat {
    /// `0.42 ms`, `12 ms`, `1.23 s`; `–` for nothing.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        switch abs(seconds) {
        case ..<0.001: return String(format: "%.2f ms", seconds * 1000)
        case ..<0.01: return String(format: "%.1f ms", seconds * 1000)
        case ..<1: return String(format: "%.0f ms", seconds * 1000)
        default: return String(format: "%.2f s", seconds)
        }
    }

    /// A rate per second: `12/s`, `0.4/s`, `0.02/s`; `–` for nothing.
    static func rate(_ perSecond: Double?) -> String {
        guard let perSecond, perSecond.isFinite else { return "–" }
        switch perSecond {
        case 0: return "0/s"
        case ..<0.1: return String(format: "%.2f/s", perSecond)
        case ..<10: return String(format: "%.1f/s", perSecond)
        default: return String(format: "%.0f/s", perSecond)
        }
    }

    /// A count or other number with `digits` decimals; `–` for nothing.
    static func number(_ value: Double?, digits: Int = 0) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// `12:34:56`, in the server's time zone (the one the person running the fleet is in).
    static func clock(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// `12:34:56` of a time in nanoseconds since 1970.
    static func clock(unixNano: Int64) -> String {
        clock(Date(timeIntervalSince1970: Double(unixNano) / 1e9))
    }

    /// `4 s ago`, `3 min ago`, `2 h ago`.
    static func ago(_ date: Date, now: Date = Date()) -> String {
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<90: return "\(Int(seconds.rounded())) s ago"
        case ..<(90 * 60): return "\(Int((seconds / 60).rounded())) min ago"
        default: return "\(Int((seconds / 3600).rounded())) h ago"
        }
    }

    /// A percentage for an inline style: always a plain decimal number (`12.345`), whatever the
    /// locale, since it lands in CSS.
    static func percent(_ value: Double) -> String {
        String(format: "%.3f", min(100, max(0, value.isFinite ? value : 0)))
    }

    /// A coordinate of an SVG drawing.
    static func coordinate(_ value: Double) -> String {
        String(format: "%.1f", value.isFinite ? value : 0)
    }
}
