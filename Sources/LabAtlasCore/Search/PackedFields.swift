/// Lists the database aggregated into one string. Handing a row from the
/// database driver to Swift costs more than most rows hold (about 10 µs each
/// through SQLiteNIO), so lists of document numbers and codes come back as one
/// value, read here byte by byte (`split` and `Int64(_:)` took 6 % of a
/// search server's time).
public enum PackedFields {
    /// The integers of a list such as `12,7,-3`; anything else separates them.
    public static func integers(_ packed: String) -> [Int64] {
        var numbers: [Int64] = []
        numbers.reserveCapacity(packed.utf8.count / 8)
        forEachInteger(packed) { numbers.append($0) }
        return numbers
    }

    /// Each integer of such a list, in order, without building the list.
    public static func forEachInteger(_ packed: String, _ body: (Int64) -> Void) {
        var packed = packed
        packed.withUTF8 { bytes in
            var value: Int64 = 0
            var negative = false
            var inNumber = false
            for byte in bytes {
                if byte >= 0x30, byte <= 0x39 {
                    value = value &* 10 &+ Int64(byte &- 0x30)
                    inNumber = true
                } else {
                    if inNumber { body(negative ? -value : value) }
                    value = 0
                    inNumber = false
                    negative = byte == 0x2D
                }
            }
            if inNumber { body(negative ? -value : value) }
        }
    }

    /// The strings of a JSON array of strings, as SQLite's `json_group_array`
    /// and PostgreSQL's `json_agg` write them; nil for anything else.
    /// `JSONDecoder` took 4.5 ms for the 5,000 labs of a lab facet.
    public static func jsonStrings(_ packed: String) -> [String]? {
        var packed = packed
        return packed.withUTF8 { bytes -> [String]? in
            var strings: [String] = []
            var index = 0
            func skipSpaces() {
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                    index += 1
                }
            }
            func hex4() -> UInt32? {
                guard bytes.count - index >= 4 else { return nil }
                var value: UInt32 = 0
                for _ in 0..<4 {
                    let byte = bytes[index]
                    let digit: UInt32
                    switch byte {
                    case 0x30...0x39: digit = UInt32(byte - 0x30)
                    case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                    case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                    default: return nil
                    }
                    value = value << 4 | digit
                    index += 1
                }
                return value
            }
            func string() -> String? {
                guard index < bytes.count, bytes[index] == 0x22 else { return nil }
                index += 1
                let start = index
                while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C { index += 1 }
                guard index < bytes.count else { return nil }
                if bytes[index] == 0x22 {
                    index += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
                }
                // Escapes: rare in facet values, decoded scalar by scalar.
                var scalars = String.UnicodeScalarView()
                scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self).unicodeScalars)
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == 0x22 {
                        index += 1
                        return String(scalars)
                    }
                    if byte != 0x5C {
                        let run = index
                        while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C { index += 1 }
                        scalars.append(contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<index]), as: UTF8.self).unicodeScalars)
                        continue
                    }
                    index += 1
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case 0x22, 0x5C, 0x2F: scalars.append(Unicode.Scalar(escaped))
                    case 0x62: scalars.append("\u{08}")
                    case 0x66: scalars.append("\u{0C}")
                    case 0x6E: scalars.append("\n")
                    case 0x72: scalars.append("\r")
                    case 0x74: scalars.append("\t")
                    case 0x75:
                        guard var code = hex4() else { return nil }
                        if code >= 0xD800, code < 0xDC00 {
                            guard bytes.count - index >= 6, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { return nil }
                            index += 2
                            guard let low = hex4(), low >= 0xDC00, low < 0xE000 else { return nil }
                            code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { return nil }
                        scalars.append(scalar)
                    default: return nil
                    }
                }
                return nil
            }
            skipSpaces()
            guard index < bytes.count, bytes[index] == 0x5B else { return nil }
            index += 1
            skipSpaces()
            if index < bytes.count, bytes[index] == 0x5D {
                index += 1
            } else {
                while true {
                    skipSpaces()
                    guard let next = string() else { return nil }
                    strings.append(next)
                    skipSpaces()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == 0x2C { index += 1; continue }
                    guard bytes[index] == 0x5D else { return nil }
                    index += 1
                    break
                }
            }
            skipSpaces()
            return index == bytes.count ? strings : nil
        }
    }
}
