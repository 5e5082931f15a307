import Foundation
import Testing
@testable import LabAtlasCore

@Suite struct JSONTextTests {
    @Test func stringsReadBackAsWritten() throws {
        let samples = ["", "plain", "quote \" backslash \\ slash /", "line\nbreak\r\ttab", "nul \u{0} bell \u{7} \u{1F} \u{08}\u{0C}",
                       "é😀 日本", "</script>"]
        for sample in samples {
            let text = JSONText.quoted(sample)
            #expect(try JSONDecoder().decode(String.self, from: Data(text.utf8)) == sample, "\(text)")
        }
        #expect(JSONText.quoted("a/b é") == "\"a/b é\"")
        #expect(JSONText.quoted("\u{1}") == "\"\\u0001\"")
    }

    @Test func objectsSortTheirKeysAndReadBack() throws {
        var counts: [String: Int] = [:]
        for index in 0..<500 { counts["lab-\(index)-\u{E9}\"x"] = index }
        let nested = ["lab": JSONText.counts(counts), "theme": JSONText.counts(["b": 2, "a": 1]), "empty": JSONText.counts([:])]
        let text = JSONText.object(["facets": JSONText.object(nested), "total": "3", "none": "null",
                                    "list": JSONText.array([JSONText.quoted("x"), "1"])])
        struct Shape: Decodable {
            var facets: [String: [String: Int]]
            var total: Int
            var none: Int?
            var list: [JSONValue]
        }
        enum JSONValue: Decodable, Equatable {
            case text(String), number(Int)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Int.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
            }
        }
        let shape = try JSONDecoder().decode(Shape.self, from: Data(text.utf8))
        #expect(shape.facets["lab"] == counts)
        #expect(shape.facets["theme"] == ["a": 1, "b": 2])
        #expect(shape.facets["empty"] == [:])
        #expect(shape.total == 3 && shape.none == nil && shape.list == [.text("x"), .number(1)])
        #expect(text.hasPrefix("{\"facets\":{\"empty\":{},\"lab\":{"))
        #expect(JSONText.counts(["b": 2, "a": 1, "c": 3]) == "{\"a\":1,\"b\":2,\"c\":3}")
    }
}
