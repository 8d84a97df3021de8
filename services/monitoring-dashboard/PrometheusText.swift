import Foundation
import ServiceKit

/// One sample of the Prometheus text exposition format: `name{label="value",...} 12.5`.
public struct MetricSample: Sendable, Equatable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// The samples of one `/metrics` scrape, with the small set of queries the dashboard needs.
public struct MetricExposition: Sendable, Equatable {
    public var samples: [MetricSample]
    /// `# TYPE` declarations by family name (counter, gauge, histogram, summary, untyped).
    public var types: [String: String]
    /// Line numbers (1-based) that were not valid samples and were left out.
    public var skippedLines: [Int]

    public init(samples: [MetricSample] = [], types: [String: String] = [:], skippedLines: [Int] = []) {
        self.samples = samples
        self.types = types
        self.skippedLines = skippedLines
    }

    /// The samples called `name` whose labels include every pair in `matching`.
    public func samples(named name: String, matching: [String: String] = [:]) -> [MetricSample] {
        samples.filter { sample in
            sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// PromQL's `sum(name{matching})`; nil when there is no such series at all.
    public func sum(_ name: String, matching: [String: String] = [:],
                    where include: (MetricSample) -> Bool = { _ in true }) -> Double? {
        let found = samples(named: name, matching: matching).filter(include)
        return found.isEmpty ? nil : found.reduce(0) { $0 + $1.value }
    }

    /// PromQL's `sum by (label) (name{matching})`.
    public func sum(_ name: String, by label: String, matching: [String: String] = [:]) -> [String: Double] {
        samples(named: name, matching: matching).reduce(into: [:]) { totals, sample in
            totals[sample.labels[label] ?? "", default: 0] += sample.value
        }
    }

    /// The cumulative buckets of histogram `name` (its `_bucket` series), summed across every
    /// series matching `matching` — what `sum by (le) (rate(name_bucket[...]))` aggregates.
    public func histogramBuckets(_ name: String, matching: [String: String] = [:]) -> [HistogramBucket] {
        var counts: [Double: Double] = [:]
        for sample in samples(named: name + "_bucket", matching: matching) {
            guard let le = sample.labels["le"].flatMap(PrometheusText.parseValue) else { continue }
            counts[le, default: 0] += sample.value
        }
        return counts.map { HistogramBucket(upperBound: $0.key, cumulativeCount: $0.value) }
            .sorted { $0.upperBound < $1.upperBound }
    }
}

/// A reader for the Prometheus text exposition format (version 0.0.4), the format every service's
/// `/metrics` answers with.
///
/// It is lenient the way a viewer must be: a line it cannot read is skipped and noted, so one odd
/// series never hides the rest of a service's numbers.
public enum PrometheusText {
    public static func parse(_ text: String) -> MetricExposition {
        var exposition = MetricExposition()
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingBlanks()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3).map(String.init)
                if words.count >= 4, words[1] == "TYPE" { exposition.types[words[2]] = words[3] }
                continue
            }
            if let sample = parseSample(line) {
                exposition.samples.append(sample)
            } else {
                exposition.skippedLines.append(index + 1)
            }
        }
        return exposition
    }

    /// A sample value: a float, `+Inf`, `-Inf` or `NaN`.
    public static func parseValue(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    /// `name{labels} value [timestamp]`; nil when the line does not have that shape.
    static func parseSample(_ line: Substring) -> MetricSample? {
        guard let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " || $0 == "\t" }) else { return nil }
        let name = String(line[..<nameEnd])
        guard isValidName(name) else { return nil }

        var rest = line[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            guard let (parsed, remainder) = parseLabels(rest.dropFirst()) else { return nil }
            labels = parsed
            rest = remainder
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard (1...2).contains(fields.count), let value = parseValue(String(fields[0])) else { return nil }
        if fields.count == 2, Int64(fields[1]) == nil { return nil }
        return MetricSample(name: name, labels: labels, value: value)
    }

    /// Reads `a="x",b="y \"quoted\""}` up to and including the closing brace.
    private static func parseLabels(_ text: Substring) -> ([String: String], Substring)? {
        var labels: [String: String] = [:]
        var index = text.startIndex
        func skipSpaces() { while index < text.endIndex, text[index] == " " { index = text.index(after: index) } }

        while true {
            skipSpaces()
            guard index < text.endIndex else { return nil }
            if text[index] == "}" { return (labels, text[text.index(after: index)...]) }

            guard let equals = text[index...].firstIndex(of: "=") else { return nil }
            let name = String(text[index..<equals].trimmingBlanks())
            guard isValidName(name), !name.unicodeScalars.contains(":") else { return nil }
            index = text.index(after: equals)
            skipSpaces()
            guard index < text.endIndex, text[index] == "\"" else { return nil }
            index = text.index(after: index)

            var value = ""
            var closed = false
            while index < text.endIndex {
                let character = text[index]
                index = text.index(after: index)
                if character == "\"" { closed = true; break }
                guard character == "\\" else { value.append(character); continue }
                guard index < text.endIndex else { return nil }
                let escaped = text[index]
                index = text.index(after: index)
                switch escaped {
                case "n": value.append("\n")
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                default: value.append("\\"); value.append(escaped)
                }
            }
            guard closed else { return nil }
            labels[name] = value

            skipSpaces()
            guard index < text.endIndex else { return nil }
            if text[index] == "," { index = text.index(after: index) }
        }
    }

    /// Metric and label names: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        func allowed(_ scalar: Unicode.Scalar, digits: Bool) -> Bool {
            switch scalar {
            case "a"..."z", "A"..."Z", "_", ":": return true
            case "0"..."9": return digits
            default: return false
            }
        }
        return allowed(first, digits: false) && name.unicodeScalars.dropFirst().allSatisfy { allowed($0, digits: true) }
    }
}
