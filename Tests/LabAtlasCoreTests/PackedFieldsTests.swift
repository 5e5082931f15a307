import Testing
import Foundation
@testable import LabAtlasCore

@Suite struct PackedFieldsTests {
    @Test func integersAreReadWhateverSeparatesThem() {
        #expect(PackedFields.integers("") == [])
        #expect(PackedFields.integers("12,7,3") == [12, 7, 3])
        #expect(PackedFields.integers("12 7\n-3,") == [12, 7, -3])
        #expect(PackedFields.integers("562949953421313,9007199254740993") == [562_949_953_421_313, 9_007_199_254_740_993])
        let many = (0..<5_000).map { Int64($0) * 7_919 }
        #expect(PackedFields.integers(many.map(String.init).joined(separator: ",")) == many)
    }

    @Test func jsonStringArraysReadLikeJSONDecoder() throws {
        let samples = ["", "lab-14", "région", "a,b", "quote \" and \\ backslash", "line\nbreak\ttab\r", "nul \u{0} bell \u{7}",
                       "😀 emoji", "é😀\u{1F}", "/slash/", "[not, an, array]"]
        let encoded = String(decoding: try JSONEncoder().encode(samples), as: UTF8.self)
        #expect(PackedFields.jsonStrings(encoded) == samples)
        // As the databases write them: spaces after commas (PostgreSQL), escapes of every kind.
        #expect(PackedFields.jsonStrings(#"["a", "b\u00e9\u0000", "\ud83d\ude00", "\/\b\f"]"#) == ["a", "b\u{E9}\u{0}", "😀", "/\u{8}\u{C}"])
        #expect(PackedFields.jsonStrings("[]") == [])
        #expect(PackedFields.jsonStrings(" [ ] ") == [])
        let many = (0..<5_000).map { "laboratoire-\($0)" }
        #expect(PackedFields.jsonStrings(String(decoding: try JSONEncoder().encode(many), as: UTF8.self)) == many)
    }

    @Test func malformedJSONArraysAreRefused() {
        for text in ["", "[", "[\"a\"", "[\"a\",]", "[\"a\" \"b\"]", "[1]", "{\"a\": 1}", "[\"\\x\"]", "[\"\\u12\"]",
                     "[\"\\ud83d\"]", "[\"a\"] x", "[\"unterminated]"] {
            #expect(PackedFields.jsonStrings(text) == nil, "\(text)")
        }
    }
}
