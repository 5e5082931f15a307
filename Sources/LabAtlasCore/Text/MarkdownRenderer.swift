import Ink

/// Turns what users type into safe HTML.
///
/// Two layers, because Ink passes raw HTML through and does not escape link
/// targets: (1) every `<` is swapped for a private-use placeholder before Ink
/// sees it, so nothing a user typed is ever parsed as a tag; (2) Ink's output is
/// rebuilt from an allowlist of tags and attributes, links are limited to web
/// and mail addresses and get `rel="nofollow noopener"`, images become links.
public enum MarkdownRenderer {
    private static let placeholder: Character = "\u{E000}"

    public static func html(_ markdown: String?) -> String {
        guard let markdown, !markdown.isEmpty else { return "" }
        let cleaned = String(markdown.unicodeScalars.compactMap { scalar -> Character? in
            if scalar == "<" { return placeholder }
            if scalar.value == 0xE000 { return nil }
            if scalar.value < 0x20, scalar != "\n", scalar != "\t" { return nil }
            return Character(scalar)
        })
        let rendered = MarkdownParser().html(from: cleaned)
        return HTMLSanitizer.sanitize(rendered).replacingOccurrences(of: String(placeholder), with: "&lt;")
    }

    /// Plain text for snippets and descriptions: tags removed, whitespace collapsed.
    /// ASCII whitespace and the markup characters an excerpt drops.
    private static let asciiBlank: [Bool] = (0..<128).map { code in
        let scalar = Unicode.Scalar(UInt8(code))
        return scalar.properties.isWhitespace || "*_#>`|".unicodeScalars.contains(scalar)
    }

    public static func plainText(_ markdown: String?, maxLength: Int = 240) -> String {
        guard let markdown, !markdown.isEmpty else { return "" }
        var text = ""
        var length = 0
        var previousWasSpace = true
        // Reading stopped before the end: counted in scalars, a flag or an emoji
        // sequence (several scalars a character) may leave fewer characters than
        // `maxLength`, the last one perhaps cut in two.
        var cutShort = false
        // Line by line, and only as far as the excerpt goes: a card needs 180
        // characters of a text that may hold thousands.
        var remaining = markdown[...]
        reading: while true {
            let end = remaining.firstIndex(of: "\n") ?? remaining.endIndex
            // List markers and numbering say nothing in a one-line excerpt.
            var line = remaining[..<end].drop(while: { $0 == " " })
            if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { line = line.dropFirst(2) }
            let digits = line.prefix(while: \.isNumber)
            if !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(". ") { line = line.dropFirst(digits.count + 2) }
            // Scalar by scalar: cards cut dozens of excerpts a page, and
            // characters cost a grapheme break each.
            for scalar in line.unicodeScalars {
                let isSpace = scalar.isASCII ? Self.asciiBlank[Int(scalar.value)] : scalar.properties.isWhitespace
                if isSpace {
                    if !previousWasSpace { text.unicodeScalars.append(" "); length += 1 }
                } else {
                    text.unicodeScalars.append(scalar)
                    // An accent written apart joins the letter before it: one character.
                    if scalar.isASCII || scalar.properties.generalCategory != .nonspacingMark { length += 1 }
                }
                previousWasSpace = isSpace
                if length > maxLength + 1 { cutShort = true; break reading }
            }
            guard end < remaining.endIndex else { break }
            // The line break is a space between the lines.
            if !previousWasSpace { text.append(" "); length += 1 }
            previousWasSpace = true
            remaining = remaining[remaining.index(after: end)...]
        }
        // Leading spaces were never added; one trailing space may be.
        if text.last == " " { text.removeLast() }
        guard cutShort || text.count > maxLength else { return text }
        let cut = text.count > maxLength ? text.prefix(maxLength) : text.dropLast()
        let lastSpace = cut.lastIndex(of: " ") ?? cut.endIndex
        return String(cut[..<lastSpace]) + "…"
    }
}

/// Rebuilds HTML from an allowlist; anything else becomes visible text.
enum HTMLSanitizer {
    private static let allowedTags: Set<String> = [
        "p", "em", "strong", "del", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "br",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    ]
    private static let voidTags: Set<String> = ["hr", "br"]

    static func sanitize(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count + 64)
        var index = html.startIndex
        var openLinks = 0
        while index < html.endIndex {
            let character = html[index]
            guard character == "<", let tag = Tag.parse(html, from: index) else {
                if character == "<" { output += "&lt;" }
                else if character == ">" { output += "&gt;" }
                else if character == "\"" { output += "&quot;" }
                else { output.append(character) }
                index = html.index(after: index)
                continue
            }
            index = tag.end
            // Ink renders images as <img src alt>: show a link instead, never load another site.
            if tag.name == "img" {
                let source = tag.attributes["src"] ?? ""
                let alt = tag.attributes["alt"] ?? source
                if let href = safeHref(source) {
                    output += "<a href=\"\(escapeAttribute(href))\" rel=\"nofollow noopener\">\(escapeText(alt.isEmpty ? href : alt))</a>"
                } else {
                    output += escapeText(alt)
                }
                continue
            }
            guard allowedTags.contains(tag.name) else {
                output += escapeText(tag.source)
                continue
            }
            if tag.isClosing {
                if tag.name == "a" {
                    guard openLinks > 0 else { continue }
                    openLinks -= 1
                }
                output += "</\(tag.name)>"
                continue
            }
            switch tag.name {
            case "a":
                if let href = tag.attributes["href"].flatMap(safeHref) {
                    output += "<a href=\"\(escapeAttribute(href))\" rel=\"nofollow noopener\">"
                } else {
                    output += "<a>"
                }
                openLinks += 1
            case "ol":
                if let start = tag.attributes["start"], let number = Int(start) {
                    output += "<ol start=\"\(number)\">"
                } else {
                    output += "<ol>"
                }
            default:
                output += voidTags.contains(tag.name) ? "<\(tag.name)>" : "<\(tag.name)>"
            }
        }
        return output
    }

    static func safeHref(_ raw: String) -> String? {
        let value = decodeEntities(raw).trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = value.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") { return value }
        if lower.hasPrefix("/") && !lower.hasPrefix("//") { return value }
        if lower.hasPrefix("#") { return value }
        return nil
    }

    static func escapeText(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "&": output += "&amp;"
            case "\"": output += "&quot;"
            default: output.append(character)
            }
        }
        return output
    }

    static func escapeAttribute(_ text: String) -> String {
        escapeText(text).replacingOccurrences(of: "'", with: "&#39;")
    }

    private static func decodeEntities(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    struct Tag {
        var name: String
        var isClosing: Bool
        var attributes: [String: String]
        var source: String
        var end: String.Index

        /// Parses a tag starting at `<`; nil when the text there is not a tag.
        static func parse(_ html: String, from start: String.Index) -> Tag? {
            var index = html.index(after: start)
            var isClosing = false
            if index < html.endIndex, html[index] == "/" {
                isClosing = true
                index = html.index(after: index)
            }
            var name = ""
            while index < html.endIndex, html[index].isLetter || html[index].isNumber {
                name.append(html[index])
                index = html.index(after: index)
            }
            guard !name.isEmpty else { return nil }
            var attributes: [String: String] = [:]
            while index < html.endIndex {
                while index < html.endIndex, html[index].isWhitespace || html[index] == "/" { index = html.index(after: index) }
                guard index < html.endIndex else { return nil }
                if html[index] == ">" {
                    let end = html.index(after: index)
                    return Tag(name: name.lowercased(), isClosing: isClosing, attributes: attributes,
                               source: String(html[start..<end]), end: end)
                }
                var attributeName = ""
                while index < html.endIndex, !html[index].isWhitespace, !"=>/".contains(html[index]) {
                    attributeName.append(html[index])
                    index = html.index(after: index)
                }
                guard !attributeName.isEmpty else { index = html.index(after: index); continue }
                var value = ""
                if index < html.endIndex, html[index] == "=" {
                    index = html.index(after: index)
                    if index < html.endIndex, html[index] == "\"" || html[index] == "'" {
                        let quote = html[index]
                        index = html.index(after: index)
                        while index < html.endIndex, html[index] != quote {
                            value.append(html[index])
                            index = html.index(after: index)
                        }
                        if index < html.endIndex { index = html.index(after: index) }
                    } else {
                        while index < html.endIndex, !html[index].isWhitespace, html[index] != ">" {
                            value.append(html[index])
                            index = html.index(after: index)
                        }
                    }
                }
                // The first occurrence wins, as in browsers.
                if attributes[attributeName.lowercased()] == nil { attributes[attributeName.lowercased()] = value }
            }
            return nil
        }
    }
}
