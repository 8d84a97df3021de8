/// E-mail and web addresses: how to recognise one in running text and how it is read aloud
/// ("jane.doe@example.com" -> "jane dot doe at example dot com").
///
/// Why conservative: a bare "name.tld" counts as a web address only for a known top-level domain,
/// so "e.g.", "Node.js" or "3.5" never turn into "dot" readings.
enum SpokenAddress {
    /// Top-level domains a bare "name.tld" may end in. Words that are also common English ("it",
    /// "is", "me", "to") are left out on purpose: "do.it" is more likely a typo than a site.
    private static let knownTopLevelDomains: Set<String> = [
        "com", "org", "net", "edu", "gov", "mil", "int", "io", "ai", "dev", "app", "co", "uk", "us",
        "de", "fr", "nl", "es", "eu", "ca", "au", "jp", "cn", "ru", "info", "biz", "tv", "ly", "gg",
        "xyz", "tech", "cloud", "online", "site", "store", "blog", "news", "local",
    ]

    /// Domain endings people spell rather than say as a word.
    private static let spelledTopLevelDomains: [String: String] = [
        "io": "i o", "ai": "a i", "uk": "u k", "us": "u s", "tv": "t v", "de": "d e", "fr": "f r",
        "nl": "n l", "eu": "e u", "ca": "c a", "au": "a u", "jp": "j p", "cn": "c n", "ru": "r u",
        "ly": "l y", "gg": "g g",
    ]

    private static let symbolNames: [Character: String] = [
        ".": "dot", "@": "at", "-": "dash", "_": "underscore", "+": "plus", "/": "slash",
        ":": "colon", "=": "equals", "&": "and", "#": "hash", "%": "percent", "~": "tilde", "?": "question mark",
    ]

    static func kind(of text: String) -> SpokenToken.Kind? {
        if text.utf8.contains(UInt8(ascii: "@")) { return isEmail(text) ? .email : nil }
        return isWeb(text) ? .web : nil
    }

    private static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        let localAllowed = local.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._%+-".contains($0) }
        return !local.isEmpty && localAllowed && local.contains(where: { $0.isLetter || $0.isNumber })
            && isHost(domain, knownEnding: false)
    }

    private static func isWeb(_ text: String) -> Bool {
        let lower = text.lowercased()
        if let scheme = ["https://", "http://"].first(where: { lower.hasPrefix($0) }) {
            return lower.count > scheme.count
        }
        let host = lower.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        let rest = lower[host.endIndex...]
        let restAllowed = rest.allSatisfy { $0.isASCII && !$0.isWhitespace }
        return restAllowed && isHost(host, knownEnding: !lower.hasPrefix("www."))
    }

    private static func isHost(_ host: Substring, knownEnding: Bool) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let ending = labels.last, ending.count >= 2,
              ending.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        let labelsValid = labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }
        return labelsValid && (!knownEnding || knownTopLevelDomains.contains(ending.lowercased()))
    }

    /// "jane.doe@example.com" -> "jane dot doe at example dot com". Lower-cased: addresses are
    /// case-insensitive, and an all-caps label must not be spelled out as an acronym.
    static func spokenEmail(_ text: String) -> String {
        let lower = text.lowercased()
        guard let at = lower.lastIndex(of: "@") else { return spokenRun(Substring(lower)) }
        return spokenRun(lower[..<at]) + " at " + spokenHost(lower[lower.index(after: at)...])
    }

    /// "https://www.example.com/docs" -> "w w w dot example dot com slash docs": the scheme is what
    /// nobody says aloud.
    static func spokenWeb(_ text: String) -> String {
        var lower = Substring(text.lowercased())
        for scheme in ["https://", "http://"] where lower.hasPrefix(scheme) {
            lower = lower.dropFirst(scheme.count)
        }
        while lower.last == "/" { lower = lower.dropLast() }
        let host = lower.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" && $0 != ":" })
        let rest = lower[host.endIndex...]
        let spokenRest = spokenRun(rest)
        return [spokenHost(host), spokenRest].filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func spokenHost(_ host: Substring) -> String {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return labels.enumerated().map { index, label in
            if label == "www" { return "w w w" }
            if index == labels.count - 1, labels.count > 1, let spelled = spelledTopLevelDomains[String(label)] {
                return spelled
            }
            return spokenRun(label)
        }.filter { !$0.isEmpty }.joined(separator: " dot ")
    }

    /// Letters as words, digits one by one, separators by name; anything else is silent.
    private static func spokenRun(_ run: Substring) -> String {
        var words: [String] = []
        var letters = ""
        var digits = ""
        func flush() {
            if !letters.isEmpty { words.append(letters) }
            if !digits.isEmpty { words.append(NumberWords.digits(digits, zero: "zero")) }
            letters = ""
            digits = ""
        }
        for character in run {
            if SpokenTokenizer.isDigit(character) {
                if !letters.isEmpty { flush() }
                digits.append(character)
            } else if character.isLetter {
                if !digits.isEmpty { flush() }
                letters.append(character)
            } else {
                flush()
                if let name = symbolNames[character] { words.append(name) }
            }
        }
        flush()
        return words.joined(separator: " ")
    }
}
