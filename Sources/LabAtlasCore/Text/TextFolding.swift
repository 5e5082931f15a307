import Foundation

/// Lower-casing and accent folding shared by vocabulary matching, slugs and
/// (later) the search analyzer, so "Mobilités" and "mobilites" compare equal.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            // The search analyzer folds every word of every document: ASCII and the
            // Latin letters of French take a table, the rest the general path.
            if scalar.isASCII {
                let value = scalar.value
                result.append((65...90).contains(value) ? Unicode.Scalar(value + 32)! : scalar)
            } else if scalar.value < latinTableEnd, let folded = latinTable[Int(scalar.value) - 128] {
                result.append(contentsOf: folded.unicodeScalars)
            } else {
                result.append(contentsOf: slowFold(scalar).unicodeScalars)
            }
        }
        return String(result)
    }

    private static let latinTableEnd: UInt32 = 0x0250
    private static let latinTable: [String?] = (128..<Int(latinTableEnd)).map { value in
        Unicode.Scalar(UInt32(value)).map(slowFold)
    }

    private static func slowFold(_ original: Unicode.Scalar) -> String {
        var result = ""
        for scalar in String(original).lowercased().unicodeScalars {
            switch scalar {
            case "œ": result += "oe"
            case "æ": result += "ae"
            case "ß": result += "ss"
            case "’", "ʼ", "‘": result += "'"
            default:
                let decomposed = String(scalar).decomposedStringWithCanonicalMapping
                for part in decomposed.unicodeScalars where !(0x0300...0x036F).contains(part.value) {
                    result.unicodeScalars.append(part)
                }
            }
        }
        return result
    }

    /// A URL-safe identifier: folded, ASCII letters and digits joined by `-`.
    public static func slug(_ text: String, maxLength: Int = 80) -> String {
        var words: [String] = []
        var current = ""
        for scalar in fold(text).unicodeScalars {
            if scalar.isASCII, CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var slug = ""
        for word in words {
            let candidate = slug.isEmpty ? word : slug + "-" + word
            if candidate.count > maxLength { break }
            slug = candidate
        }
        return slug.isEmpty ? "element" : slug
    }

    public static func isValidSlug(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 120
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !text.hasPrefix("-") && !text.hasSuffix("-")
    }
}
