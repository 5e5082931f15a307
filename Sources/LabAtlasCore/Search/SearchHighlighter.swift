import Foundation

/// Marks the words of a text that a query matched, through the same analyzer
/// as the index: searching "mobilites" marks "Mobilités". Output is escaped
/// HTML whose only markup is `<mark>`.
public struct SearchHighlighter: Sendable {
    let terms: Set<String>
    let prefixes: [String]
    /// The first letters of the terms and prefixes: no other word needs its stem.
    let initials: Set<Unicode.Scalar>?

    public init(query: SearchQuery) {
        terms = query.highlightTerms
        prefixes = query.highlightPrefixes
        let starts = Array(terms) + prefixes
        initials = starts.contains(where: \.isEmpty) ? nil : Set(starts.compactMap(\.unicodeScalars.first))
    }

    func matches(_ term: String?) -> Bool {
        guard let term else { return false }
        return terms.contains(term) || prefixes.contains { term.hasPrefix($0) }
    }

    /// The whole text, with matches marked.
    public func highlight(_ text: String) -> String {
        render(text, from: text.startIndex, to: text.endIndex)
    }

    /// The passage of about `length` characters holding the most matches, with
    /// ellipses where it was cut; the start of the text when nothing matches.
    public func snippet(_ text: String, length: Int = 220) -> String {
        let tokens = FrenchAnalyzer.tokens(text, stemmingInitials: initials)
        let hits = tokens.filter { matches($0.term) }.map(\.range)
        guard !text.isEmpty else { return "" }
        var bestStart = text.startIndex
        if !hits.isEmpty {
            var bestCount = 0
            for hit in hits {
                let windowEnd = text.index(hit.lowerBound, offsetBy: length, limitedBy: text.endIndex) ?? text.endIndex
                let count = hits.filter { $0.lowerBound >= hit.lowerBound && $0.upperBound <= windowEnd }.count
                if count > bestCount {
                    bestCount = count
                    bestStart = hit.lowerBound
                }
            }
            // A little context before the first match, from a word boundary.
            let lead = text.index(bestStart, offsetBy: -40, limitedBy: text.startIndex) ?? text.startIndex
            if let boundary = tokens.first(where: { $0.range.lowerBound >= lead && $0.range.lowerBound <= bestStart }) {
                bestStart = boundary.range.lowerBound
            } else {
                bestStart = lead
            }
        }
        var end = text.index(bestStart, offsetBy: length, limitedBy: text.endIndex) ?? text.endIndex
        if end < text.endIndex, let cut = tokens.last(where: { $0.range.upperBound <= end && $0.range.lowerBound > bestStart }) {
            end = cut.range.upperBound
        }
        let prefix = bestStart > text.startIndex ? "… " : ""
        let suffix = end < text.endIndex ? " …" : ""
        return prefix + render(text, from: bestStart, to: end, tokens: tokens) + suffix
    }

    private func render(_ text: String, from start: String.Index, to end: String.Index, tokens: [AnalyzedToken]? = nil) -> String {
        var output = ""
        var position = start
        for token in tokens ?? FrenchAnalyzer.tokens(text, stemmingInitials: initials)
        where token.range.lowerBound >= start && token.range.upperBound <= end && matches(token.term) {
            output += HTMLSanitizer.escapeText(String(text[position..<token.range.lowerBound]))
            output += "<mark>" + HTMLSanitizer.escapeText(String(text[token.range])) + "</mark>"
            position = token.range.upperBound
        }
        output += HTMLSanitizer.escapeText(String(text[position..<end]))
        return output
    }
}
