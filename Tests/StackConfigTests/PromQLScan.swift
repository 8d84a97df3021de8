/// Just enough of PromQL to find which metrics an expression reads and which label names it uses on
/// each of them. Syntax itself is checked by promtool (scripts/stack/check-dashboards.py); this is
/// about names.
struct PromQLScan {
    /// A label name used in a metric's matcher (`m{label="x"}`).
    struct LabelUse: Hashable {
        let metric: String
        let label: String
    }

    var metrics: Set<String> = []
    var labelUses: Set<LabelUse> = []
    /// Labels of `on (...)`, `ignoring (...)`, `group_left (...)`: they match series of both sides.
    var joinLabels: Set<String> = []
    /// `sum by (labels) (...)` / `without (labels)`: the labels and the metrics aggregated there.
    /// Each label must exist on at least one of them (a filter like `... and on (x) other` inside
    /// the aggregation contributes no labels of its own).
    var groupings: [(labels: [String], metrics: Set<String>)] = []
    /// `metric{label="value"}` matchers with a literal value (exact equality only).
    var equalityMatchers: [(LabelUse, String)] = []

    static let aggregations: Set<String> = [
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
        "quantile", "limitk", "limit_ratio",
    ]
    static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
        "offset", "atan2", "inf", "nan", "start", "end",
    ]

    enum Token: Equatable {
        case identifier(String)
        case string(String)
        case number
        case punct(Character)
    }

    static func tokenize(_ expr: String) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(expr)
        var i = 0
        func isIdentStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == ":" }
        func isIdent(_ c: Character) -> Bool { isIdentStart(c) || c.isNumber }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c == "\"" || c == "'" || c == "`" {
                var j = i + 1
                var content = ""
                while j < chars.count, chars[j] != c {
                    if chars[j] == "\\" && c != "`" && j + 1 < chars.count {
                        content.append(chars[j + 1])
                        j += 2
                    } else {
                        content.append(chars[j])
                        j += 1
                    }
                }
                tokens.append(.string(content))
                i = j + 1
            } else if c == "[" {
                // Range or subquery selector: durations and Grafana variables, no names.
                var j = i
                while j < chars.count, chars[j] != "]" { j += 1 }
                i = j + 1
            } else if c == "$" {
                // A Grafana variable outside a string (e.g. a bare $__range): not a name.
                var j = i + 1
                while j < chars.count, isIdent(chars[j]) || chars[j] == "{" || chars[j] == "}" { j += 1 }
                tokens.append(.number)
                i = j
            } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isNumber || chars[j].isLetter || chars[j] == "." { j += 1 }
                tokens.append(.number)
                i = j
            } else if isIdentStart(c) {
                var j = i
                while j < chars.count, isIdent(chars[j]) { j += 1 }
                tokens.append(.identifier(String(chars[i..<j])))
                i = j
            } else {
                tokens.append(.punct(c))
                i += 1
            }
        }
        return tokens
    }

    /// Index just past the parenthesised group starting at `open` (which must be "(").
    static func closing(_ tokens: [Token], _ open: Int) -> Int {
        var depth = 0
        var i = open
        while i < tokens.count {
            if tokens[i] == .punct("(") { depth += 1 }
            if tokens[i] == .punct(")") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return tokens.count
    }

    static func identifiers(in tokens: ArraySlice<Token>) -> [String] {
        tokens.compactMap { if case .identifier(let name) = $0 { name } else { nil } }
    }

    init(_ expr: String) {
        let tokens = Self.tokenize(expr)
        var grouping: [(labels: [String], range: Range<Int>)] = []
        var labelListRanges: [Range<Int>] = []
        var metricAt: [Int: String] = [:]

        // Pass 1: grouping clauses and their label lists.
        for (i, token) in tokens.enumerated() {
            guard case .identifier(let word) = token else { continue }
            let lower = word.lowercased()
            if ["by", "without", "on", "ignoring", "group_left", "group_right"].contains(lower),
               i + 1 < tokens.count, tokens[i + 1] == .punct("(") {
                let end = Self.closing(tokens, i + 1)
                labelListRanges.append((i + 1)..<end)
                let labels = Self.identifiers(in: tokens[(i + 1)..<end])
                if lower == "by" || lower == "without" {
                    // `agg by (l) (arg)` or `agg (arg) by (l)`.
                    if end < tokens.count, tokens[end] == .punct("(") {
                        grouping.append((labels, end..<Self.closing(tokens, end)))
                    } else if i > 0, tokens[i - 1] == .punct(")") {
                        var depth = 0
                        var j = i - 1
                        while j >= 0 {
                            if tokens[j] == .punct(")") { depth += 1 }
                            if tokens[j] == .punct("(") {
                                depth -= 1
                                if depth == 0 { break }
                            }
                            j -= 1
                        }
                        grouping.append((labels, max(j, 0)..<i))
                    }
                } else {
                    joinLabels.formUnion(labels)
                }
            }
        }

        // Pass 2: metric names (identifiers that are not functions, keywords or label names) and
        // the label names of their matchers.
        var i = 0
        while i < tokens.count {
            if let list = labelListRanges.first(where: { $0.lowerBound == i }) {
                i = list.upperBound
                continue
            }
            guard case .identifier(let name) = tokens[i] else {
                if tokens[i] == .punct("{") {  // a bare selector like {__name__="x"}: skip it
                    while i < tokens.count, tokens[i] != .punct("}") { i += 1 }
                }
                i += 1
                continue
            }
            let next = i + 1 < tokens.count ? tokens[i + 1] : nil
            if next == .punct("(") || Self.keywords.contains(name.lowercased()) || Self.aggregations.contains(name) {
                i += 1
                continue
            }
            metrics.insert(name)
            metricAt[i] = name
            i += 1
            if next == .punct("{") {
                i += 1
                var current: LabelUse?
                var op = ""
                while i < tokens.count, tokens[i] != .punct("}") {
                    switch tokens[i] {
                    case .identifier(let label) where current == nil:
                        current = LabelUse(metric: name, label: label)
                        labelUses.insert(current!)
                        op = ""
                    case .punct(let c) where c != ",":
                        op.append(c)
                    case .string(let value):
                        if let use = current, op == "=" { equalityMatchers.append((use, value)) }
                    case .punct:  // ","
                        current = nil
                    default:
                        break
                    }
                    i += 1
                }
                i += 1
            }
        }

        for (labels, range) in grouping {
            let inside = Set(metricAt.filter { range.contains($0.key) }.values)
            groupings.append((labels, inside))
        }
    }
}
