import Testing
@testable import LabAtlasCore

@Suite struct MarkdownTests {
    @Test func rendersOrdinaryMarkdown() {
        let html = MarkdownRenderer.html("Un **atelier** réussi :\n\n- accueil\n- [bilan](https://lab.example.fr/bilan)")
        #expect(html.contains("<strong>atelier</strong>"))
        #expect(html.contains("<li>accueil</li>"))
        #expect(html.contains(#"<a href="https://lab.example.fr/bilan" rel="nofollow noopener">bilan</a>"#))
    }

    @Test(arguments: [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "Texte <b onmouseover=alert(1)>gras</b>",
        "[clic](javascript:alert(1))",
        "[clic](https://ok.example/\" onclick=\"alert(1))",
        "![x](https://evil.example/x.png\" onerror=\"alert(1))",
        "<iframe src=https://evil.example></iframe>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "`<script>` et ```\n<script>alert(1)</script>\n```",
        "<svg/onload=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ])
    func neverEmitsActiveMarkup(_ input: String) {
        let html = MarkdownRenderer.html(input).lowercased()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<iframe"))
        #expect(!html.contains("<svg"))
        #expect(!html.contains("href=\"javascript"))
        #expect(!html.contains("<b "))
        // No tag may carry an event handler: escaped text that merely reads "onerror=" is harmless.
        #expect(html.range(of: #"<[a-z][^>]*\son[a-z]+\s*="#, options: .regularExpression) == nil)
        #expect(!html.contains("<a href=\"javascript"))
    }

    @Test func rawHTMLIsShownAsText() {
        #expect(MarkdownRenderer.html("Voir <b>ceci</b>") == "<p>Voir &lt;b&gt;ceci&lt;/b&gt;</p>")
    }

    @Test func plainTextDropsListMarkers() {
        #expect(MarkdownRenderer.plainText("- Mettre l'usager au cœur\n- Former 15 agents\n1. Un lieu") == "Mettre l'usager au cœur Former 15 agents Un lieu")
    }

    /// Only the beginning of a text is read: an excerpt ends where it would have ended.
    @Test func plainTextStopsAtTheExcerptsEnd() {
        let opening = "## Contexte\n\nLes agents d'accueil de la préfecture reçoivent chaque jour des usagers perdus."
        #expect(MarkdownRenderer.plainText(opening + "\n\n- " + String(repeating: "suite ", count: 5_000), maxLength: 60)
                == MarkdownRenderer.plainText(opening, maxLength: 60))
        #expect(MarkdownRenderer.plainText(String(repeating: "x", count: 10), maxLength: 10) == String(repeating: "x", count: 10))
        #expect(MarkdownRenderer.plainText(String(repeating: "x", count: 11), maxLength: 10) == String(repeating: "x", count: 10) + "…")
        #expect(MarkdownRenderer.plainText("un deux\n", maxLength: 7) == "un deux")
        #expect(MarkdownRenderer.plainText("un\n\n**deux**  trois", maxLength: 40) == "un deux trois")
    }

    /// Characters, not their parts: an accent written apart counts with its letter.
    @Test func plainTextCountsCharacters() {
        let decomposed = "e\u{301}"
        #expect(MarkdownRenderer.plainText(String(repeating: decomposed, count: 10), maxLength: 10) == String(repeating: decomposed, count: 10))
        #expect(MarkdownRenderer.plainText(String(repeating: decomposed, count: 11), maxLength: 10) == String(repeating: decomposed, count: 10) + "…")
        #expect(MarkdownRenderer.plainText("un\u{A0}\u{A0}deux\u{2003}trois", maxLength: 40) == "un deux trois")
        #expect(MarkdownRenderer.plainText("Cœur > *àéèç* | 🇫🇷 drapeau", maxLength: 40) == "Cœur àéèç 🇫🇷 drapeau")
        // Characters of several scalars: the excerpt still ends with "…", on whole characters.
        for (long, whole) in [(String(repeating: "🇫🇷", count: 200), "🇫🇷"), (String(repeating: "👨‍👩‍👧‍👦 ", count: 200), "👨‍👩‍👧‍👦")] {
            let excerpt = MarkdownRenderer.plainText(long, maxLength: 240)
            #expect(excerpt.hasSuffix("…"))
            #expect(excerpt.count <= 241)
            #expect(excerpt.dropLast().allSatisfy { String($0) == whole || $0 == " " })
        }
    }

    @Test func plainTextIsShortAndClean() {
        let text = MarkdownRenderer.plainText("## Titre\n\nUn **texte** très long " + String(repeating: "mot ", count: 100), maxLength: 50)
        #expect(text.count <= 51)
        #expect(!text.contains("*") && !text.contains("#"))
        #expect(text.hasSuffix("…"))
    }
}
