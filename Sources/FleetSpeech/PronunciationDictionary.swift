import CFlite
import Foundation

/// The pronunciations pocketsphinx needs for a vocabulary: cmudict's entries (all variants, such
/// as `read(2)`), and for a word cmudict lacks, flite's CMU lexicon with its letter-to-sound rules,
/// so any word the fleet says can be recognised. Only the vocabulary's words are written out: a
/// dictionary of a few hundred words loads in milliseconds, the full 134,000 in about a second.
struct PronunciationDictionary: Sendable {
    /// Lines in cmudict format: `word PH ON ES`.
    let lines: [String]
    /// Words that came from letter-to-sound rules rather than cmudict.
    let guessed: [String]

    init(vocabulary: [String], cmudict: URL) throws {
        let wanted = Set(vocabulary)
        var found: [String: [String]] = [:]
        let text = try String(contentsOf: cmudict, encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let entry = line[..<space]
            let word = entry.firstIndex(of: "(").map { String(entry[..<$0]) } ?? String(entry)
            if wanted.contains(word) { found[word, default: []].append(String(line)) }
        }
        var lines: [String] = [], guessed: [String] = []
        for word in vocabulary.sorted() {
            if let entries = found[word] {
                lines += entries
            } else if let phones = Self.letterToSound(word), !phones.isEmpty {
                lines.append("\(word) \(phones.joined(separator: " "))")
                guessed.append(word)
            }
        }
        self.lines = lines
        self.guessed = guessed
    }

    var text: String { lines.joined(separator: "\n") + "\n" }

    /// flite's pronunciation in pocketsphinx's phone set: flite writes ARPAbet in lower case with
    /// stress digits and a schwa `ax` that the en-us model folds into `AH`.
    static func letterToSound(_ word: String) -> [String]? {
        let lexicon = FliteLexicon.shared
        return lexicon.phones(of: word)?.map { phone in
            let bare = phone.filter { !$0.isNumber }.uppercased()
            return bare == "AX" ? "AH" : bare
        }
    }
}

/// flite's CMU lexicon, initialised once. Lookups only read it.
final class FliteLexicon: Sendable {
    static let shared = FliteLexicon()
    nonisolated(unsafe) private let lexicon: UnsafeMutablePointer<cst_lexicon>?
    private let lock = NSLock()

    private init() {
        _ = FliteEngine.shared
        lexicon = cmu_lex_init()
    }

    func phones(of word: String) -> [String]? {
        guard let lexicon, !word.isEmpty else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let list = lex_lookup(lexicon, word, nil, nil) else { return nil }
        defer { delete_val(list) }
        var phones: [String] = []
        var cursor: UnsafePointer<cst_val>? = UnsafePointer(list)
        while let node = cursor, let head = val_car(node) {
            if let name = val_string(head) { phones.append(String(cString: name)) }
            cursor = val_cdr(node)
        }
        return phones
    }
}
