/// How far a transcript is from what was said: the standard word error rate, with its parts.
///
/// Why the parts are kept, not just the rate: substitutions point at the acoustics or the
/// vocabulary, deletions at dropped audio or a cut-off turn, insertions at noise heard as words;
/// and corpus figures must pool edit counts (`pooled`), never average per-utterance rates.
public struct WordErrorRate: Sendable, Equatable {
    public var substitutions: Int
    public var deletions: Int
    public var insertions: Int
    /// N: how many words the reference has.
    public var referenceWords: Int

    public init(substitutions: Int = 0, deletions: Int = 0, insertions: Int = 0, referenceWords: Int = 0) {
        self.substitutions = substitutions
        self.deletions = deletions
        self.insertions = insertions
        self.referenceWords = referenceWords
    }

    /// S + D + I.
    public var errors: Int { substitutions + deletions + insertions }

    /// (S + D + I) / N, the standard definition; it exceeds 1 when the hypothesis adds more words
    /// than the reference has. With an empty reference (N = 0) the denominator is taken as 1: the
    /// rate is 0 when the hypothesis is empty too, and otherwise the number of inserted words (a
    /// hypothesis of three words against silence scores 3), so words made out of nothing are never
    /// scored as perfect and more of them score worse.
    public var rate: Double {
        Double(errors) / Double(max(referenceWords, 1))
    }

    /// Levenshtein alignment over words (substitution, deletion, insertion each cost 1); the counts
    /// are those of one minimal alignment. Where several alignments cost the same, a match or
    /// substitution is preferred over a deletion, and a deletion over an insertion (so "a b" heard
    /// as "b c" is two substitutions rather than a deletion and an insertion).
    ///
    /// Each cell keeps the counts of the path that reached it, which is the backtrace carried forward:
    /// two rows of memory instead of a full table, whatever the lengths.
    public static func score(reference: [String], hypothesis: [String]) -> WordErrorRate {
        let columns = hypothesis.count + 1
        // Row for the empty reference prefix: every hypothesis word so far is an insertion.
        var previous = (0..<columns).map { AlignmentCell(cost: $0, substitutions: 0, deletions: 0) }
        var current = previous
        for (row, referenceWord) in reference.enumerated() {
            current[0] = AlignmentCell(cost: row + 1, substitutions: 0, deletions: row + 1)
            for column in 1..<columns {
                let matches = referenceWord == hypothesis[column - 1]
                var best = previous[column - 1]
                if !matches {
                    best.cost += 1
                    best.substitutions += 1
                }
                let deletion = previous[column]
                if deletion.cost + 1 < best.cost {
                    best = deletion
                    best.cost += 1
                    best.deletions += 1
                }
                let insertion = current[column - 1]
                if insertion.cost + 1 < best.cost {
                    best = insertion
                    best.cost += 1
                }
                current[column] = best
            }
            swap(&previous, &current)
        }
        let end = previous[columns - 1]
        return WordErrorRate(substitutions: end.substitutions, deletions: end.deletions,
                             insertions: end.cost - end.substitutions - end.deletions,
                             referenceWords: reference.count)
    }

    /// Both sides through `SpokenForm.words` first, so "2026" and "twenty twenty six" are the same
    /// words and case or punctuation never counts as an error.
    public static func score(reference: String, hypothesis: String) -> WordErrorRate {
        score(reference: SpokenForm.words(reference), hypothesis: SpokenForm.words(hypothesis))
    }

    /// Pools several utterances: sum of edits over sum of reference words (how a corpus WER is
    /// reported), so long utterances weigh by their length.
    public static func pooled(_ scores: [WordErrorRate]) -> WordErrorRate {
        scores.reduce(into: WordErrorRate()) { total, score in
            total.substitutions += score.substitutions
            total.deletions += score.deletions
            total.insertions += score.insertions
            total.referenceWords += score.referenceWords
        }
    }
}

/// One cell of the alignment: its cost and how the cheapest path to it splits into edits
/// (insertions are the rest of the cost).
private struct AlignmentCell {
    var cost: Int
    var substitutions: Int
    var deletions: Int
}
