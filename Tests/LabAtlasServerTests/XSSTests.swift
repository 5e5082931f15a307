import Fluent
import Foundation
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

/// Hostile input in every text field of every type must come out as text, never as markup.
@Suite struct XSSTests {
    static let payloads = [
        "<script>alert('xss')</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "\"><script>alert(1)</script>",
        "' onmouseover='alert(1)",
        "[clic](javascript:alert(1))",
        "[clic](https://ok.example/\" onclick=\"alert(1))",
        "![x](https://evil.example/x.png\" onerror=\"alert(1))",
        "<a href=\"javascript:alert(1)\">lien</a>",
        "<style>body{display:none}</style>",
        "<object data=\"x\"></object><embed src=\"x\">",
        "`<script>` et ```\n<script>alert(1)</script>\n```",
        "<<script>script>alert(1)<</script>/script>",
        "<details open ontoggle=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "javascript:alert(1)",
    ]

    /// The markup an attack would need; our own templates contain none of it.
    /// Tags are read as a browser reads them (quoted attribute values are data, not markup).
    static func dangers(in html: String) -> [String] {
        let forbiddenTags: Set<String> = ["script", "img", "svg", "iframe", "object", "embed", "style", "details", "math", "base"]
        var found: [String] = []
        let characters = Array(html)
        var index = 0
        while index < characters.count {
            guard characters[index] == "<", index + 1 < characters.count, characters[index + 1].isLetter else { index += 1; continue }
            index += 1
            var name = ""
            while index < characters.count, characters[index].isLetter || characters[index].isNumber { name.append(characters[index]); index += 1 }
            if forbiddenTags.contains(name.lowercased()) { found.append("<\(name)") }
            // Attributes until the closing ">".
            while index < characters.count, characters[index] != ">" {
                while index < characters.count, characters[index].isWhitespace || characters[index] == "/" { index += 1 }
                var attribute = ""
                while index < characters.count, !characters[index].isWhitespace, !"=>/".contains(characters[index]) {
                    attribute.append(characters[index]); index += 1
                }
                var value = ""
                if index < characters.count, characters[index] == "=" {
                    index += 1
                    if index < characters.count, characters[index] == "\"" || characters[index] == "'" {
                        let quote = characters[index]; index += 1
                        while index < characters.count, characters[index] != quote { value.append(characters[index]); index += 1 }
                        index += 1
                    } else {
                        while index < characters.count, !characters[index].isWhitespace, characters[index] != ">" { value.append(characters[index]); index += 1 }
                    }
                }
                let lower = attribute.lowercased()
                if lower.hasPrefix("on") { found.append("\(name) \(attribute)=") }
                if ["href", "src", "action", "formaction"].contains(lower),
                   value.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("javascript:") {
                    found.append("\(name) \(attribute)=javascript:")
                }
                if attribute.isEmpty, index < characters.count, characters[index] != ">" { index += 1 }
            }
        }
        return found
    }

    static func item(_ type: ItemType, _ payload: String, lab: String, round: Int) -> String {
        func text(_ field: String) -> String { "\"\(field)\": \(quoted(payload + " " + field))" }
        let common = [text("themes").replacingOccurrences(of: "\"themes\": ", with: "\"themes\": [") + "]"]
        switch type {
        case .labs:
            return "{" + ([text("name"), text("host_organisation"), text("city"), text("team"), text("highlight"), text("objectives"),
                           "\"services\": [\(quoted(payload))]", "\"contact\": \"x@example.fr\""] + common).joined(separator: ", ") + "}"
        case .projects:
            return "{" + ([text("title"), text("summary"), text("description"), text("organisation"), text("next_steps"), text("vigilance"),
                           "\"labs\": [\"\(lab)\"]", "\"team\": [{\"name\": \(quoted(payload)), \"role\": \"coach\"}]",
                           "\"stage_history\": [{\"stage\": \"exploration\", \"since\": \"2025-01-0\(round % 9 + 1)\", \"note\": \(quoted(payload))}]",
                           "\"decisions\": [{\"date\": \"2025-02-01\", \"kind\": \"other\", \"outcome\": \"pivot\", \"note\": \(quoted(payload))}]",
                           "\"achievements\": [{\"year\": 2025, \"text\": \(quoted(payload))}]"] + common).joined(separator: ", ") + "}"
        case .experiences:
            return "{" + ([text("title"), text("description"), text("went_well"), text("went_badly"), text("advice"), text("pilot"),
                           text("audiences_other"), "\"lab\": \"\(lab)\""] + common).joined(separator: ", ") + "}"
        case .sessions:
            return "{" + ([text("title"), text("outcome"), text("retrospective"), "\"lab\": \"\(lab)\"", "\"date\": \"2025-03-0\(round % 9 + 1)\""] + common)
                .joined(separator: ", ") + "}"
        case .events:
            return "{" + ([text("title"), text("description"), "\"keywords\": [\(quoted(payload))]",
                           "\"timings\": [{\"begin\": \"2027-03-12T09:00:00+01:00\", \"end\": \"2027-03-12T12:00:00+01:00\"}]",
                           "\"place\": {\"name\": \(quoted(payload)), \"address\": \(quoted(payload)), \"city\": \(quoted(payload))}",
                           "\"labs\": [\"\(lab)\"]"] + common).joined(separator: ", ") + "}"
        case .methods:
            return "{" + ([text("name"), text("description"), text("group_size"), text("materials"), "\"category\": \"testing\""] + common)
                .joined(separator: ", ") + "}"
        case .networks:
            return "{" + ([text("name"), text("description")] + common).joined(separator: ", ") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    @Test func everyTextFieldIsEscapedEverywhere() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let token = try await world.token(for: TestWorld.admin)
            var created: [String] = []
            for (round, payload) in Self.payloads.enumerated() {
                for type in ItemType.allCases {
                    let response = try await APIWriteTests.request(app, .POST, "/api/v1/\(type.rawValue)", token: token,
                                                                   json: Self.item(type, payload, lab: world.labA1.slug, round: round))
                    #expect(response.status == .created, "\(type) with \(payload): \(response.body)")
                    if let location = response.headers.first(name: .location) {
                        created.append(location.replacingOccurrences(of: "/api/v1", with: ""))
                    }
                }
            }
            var browser = TestBrowser(app)
            try await browser.signIn(TestWorld.admin)
            var paths = ["/"] + ItemType.allCases.flatMap { ["/\($0.rawValue)", "/\($0.rawValue)?page=2", "/\($0.rawValue)?page=3"] }
            paths += created.flatMap { [$0, $0 + "/history", $0 + "/edit"] }
            paths += ["/labs/\(world.labA1.slug)", "/projects?theme=" + TestBrowser.encode(Self.payloads[0] + " themes")]
            for path in paths {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path) answered \(page.status)")
                let found = Self.dangers(in: page.body)
                #expect(found.isEmpty, "\(path) contains \(found)")
            }
        }
    }

    @Test func theDangerDetectorItselfWorks() {
        #expect(!Self.dangers(in: "<p><a href=\"javascript:alert(1)\">x</a></p>").isEmpty)
        #expect(!Self.dangers(in: "<div onclick=\"x\">").isEmpty)
        #expect(Self.dangers(in: "<p>&lt;script&gt; onclick=1</p>").isEmpty)
        #expect(Self.dangers(in: "<input value=\"&#39; onmouseover=&#39;alert(1)\">").isEmpty)
        #expect(!Self.dangers(in: "<p>x</p><img src=x>").isEmpty)
    }
}
