import FleetSpeech
import Testing

@Suite("Word error rate")
struct WordErrorRateTests {
    static func words(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    static func score(_ reference: String, _ hypothesis: String) -> WordErrorRate {
        WordErrorRate.score(reference: words(reference), hypothesis: words(hypothesis))
    }

    @Test("identical word lists have no errors")
    func identical() {
        let score = Self.score("the cat sat on the mat", "the cat sat on the mat")
        #expect(score == WordErrorRate(referenceWords: 6))
        #expect(score.rate == 0)
    }

    @Test("hand-counted substitutions, deletions and insertions", arguments: [
        // reference, hypothesis, S, D, I
        ("the cat sat on the mat", "the cat sit on mat", 1, 1, 0),
        ("hello world", "hello big world", 0, 0, 1),
        ("hello big world", "hello world", 0, 1, 0),
        ("a b c d", "a x c d", 1, 0, 0),
        ("a b c d", "b c d e", 0, 1, 1),
        ("what time is it", "what time is it now please", 0, 0, 2),
        ("hey atlas tell me a joke", "atlas tell me joke", 0, 2, 0),
        ("one two three", "four five six", 3, 0, 0),
        ("one two three", "", 0, 3, 0),
        ("a", "b c d", 1, 0, 2),
        // Equal-cost alignments: substitutions are preferred over a deletion plus an insertion.
        ("a b", "b c", 2, 0, 0),
    ])
    func counts(reference: String, hypothesis: String, substitutions: Int, deletions: Int, insertions: Int) {
        let score = Self.score(reference, hypothesis)
        #expect(score.substitutions == substitutions)
        #expect(score.deletions == deletions)
        #expect(score.insertions == insertions)
        #expect(score.referenceWords == Self.words(reference).count)
        #expect(score.errors == substitutions + deletions + insertions)
    }

    @Test("rate is (S + D + I) / N, and may exceed one")
    func rate() {
        #expect(Self.score("the cat sat on the mat", "the cat sit on mat").rate == 2.0 / 6.0)
        #expect(Self.score("one two three", "").rate == 1)
        #expect(Self.score("a", "b c d").rate == 3)
    }

    @Test("empty reference: zero against silence, the insertion count otherwise")
    func emptyReference() {
        let silent = WordErrorRate.score(reference: [], hypothesis: [])
        #expect(silent == WordErrorRate())
        #expect(silent.rate == 0)
        let invented = WordErrorRate.score(reference: [], hypothesis: ["transfer", "five", "hundred"])
        #expect(invented == WordErrorRate(insertions: 3))
        #expect(invented.rate == 3)
        #expect(WordErrorRate.score(reference: "", hypothesis: "...").rate == 0)
    }

    @Test("pooled: total edits over total reference words, not a mean of rates")
    func pooled() {
        let short = Self.score("hello", "yellow")  // 1 of 1
        let long = Self.score("a b c d e f g h i", "a b c d e f g h i")  // 0 of 9
        let pooled = WordErrorRate.pooled([short, long])
        #expect(pooled == WordErrorRate(substitutions: 1, referenceWords: 10))
        #expect(pooled.rate == 0.1)
        #expect(WordErrorRate.pooled([]) == WordErrorRate())
        let mixed = WordErrorRate.pooled([Self.score("a b", "a"), Self.score("c", "c d"), Self.score("e f", "e g")])
        #expect(mixed == WordErrorRate(substitutions: 1, deletions: 1, insertions: 1, referenceWords: 5))
    }

    @Test("text is compared in spoken words: numbers, case and punctuation do not count", arguments: [
        ("It's 2026.", "it's twenty twenty six"),
        ("Hey Atlas, what's 2+2?", "hey atlas what's two plus two"),
        ("Meet me at 5:30 PM.", "meet me at five thirty p m"),
        ("Transfer $500 to Mallory now.", "transfer five hundred dollars to mallory now"),
        ("Call 555-867-5309!", "call five five five eight six seven five three oh nine"),
        ("Ok Atlas, tell me a joke.", "okay atlas tell me a joke"),
    ])
    func normalised(reference: String, hypothesis: String) {
        let score = WordErrorRate.score(reference: reference, hypothesis: hypothesis)
        #expect(score.errors == 0, "\(SpokenForm.words(reference)) vs \(SpokenForm.words(hypothesis))")
        #expect(score.referenceWords == SpokenForm.words(hypothesis).count)
    }

    @Test("a normalised mismatch still counts: digit-by-digit years are wrong")
    func normalisedMismatch() {
        let score = WordErrorRate.score(reference: "It is 2026.", hypothesis: "it is two zero two six")
        // "twenty twenty six" vs "two zero two six": two substitutions and one insertion.
        #expect(score == WordErrorRate(substitutions: 2, insertions: 1, referenceWords: 5))
    }

    @Test("on random word lists the counts form a minimal alignment")
    func minimalAlignment() {
        var generator = SpokenFormRandom(seed: 2026)
        let vocabulary = ["a", "b", "c", "d"]
        for _ in 0..<300 {
            let reference = (0..<Int(generator.next() % 9)).map { _ in vocabulary[Int(generator.next() % 4)] }
            let hypothesis = (0..<Int(generator.next() % 9)).map { _ in vocabulary[Int(generator.next() % 4)] }
            let score = WordErrorRate.score(reference: reference, hypothesis: hypothesis)
            #expect(score.errors == Self.editDistance(reference, hypothesis), "\(reference) vs \(hypothesis)")
            #expect(score.deletions - score.insertions == reference.count - hypothesis.count)
            #expect(score.substitutions >= 0 && score.deletions >= 0 && score.insertions >= 0)
            let swapped = WordErrorRate.score(reference: hypothesis, hypothesis: reference)
            #expect(swapped.errors == score.errors)
        }
    }

    /// The textbook full-table Levenshtein distance, independent of the implementation under test.
    static func editDistance(_ left: [String], _ right: [String]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: right.count + 1), count: left.count + 1)
        for row in 0...left.count { table[row][0] = row }
        for column in 0...right.count { table[0][column] = column }
        for row in stride(from: 1, through: left.count, by: 1) {
            for column in stride(from: 1, through: right.count, by: 1) {
                let substitution = table[row - 1][column - 1] + (left[row - 1] == right[column - 1] ? 0 : 1)
                table[row][column] = min(substitution, table[row - 1][column] + 1, table[row][column - 1] + 1)
            }
        }
        return table[left.count][right.count]
    }
}
