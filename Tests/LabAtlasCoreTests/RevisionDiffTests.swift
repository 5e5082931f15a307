import Testing
@testable import LabAtlasCore

/// Compact form of a diff for readable expectations: "=kept", "+added", "-removed".
private func marks(_ lines: [DiffLine]) -> [String] {
    lines.map { line in
        switch line.kind {
        case .same: "=" + line.text
        case .added: "+" + line.text
        case .removed: "-" + line.text
        }
    }
}

@Suite struct TextDiffTests {
    @Test func identicalTextsAreAllKept() {
        #expect(marks(TextDiff.compare(old: "a\nb\nc", new: "a\nb\nc")) == ["=a", "=b", "=c"])
        #expect(TextDiff.compare(old: "", new: "").isEmpty)
    }

    @Test func pureInsertions() {
        #expect(marks(TextDiff.compare(old: "a\nc", new: "a\nb\nc")) == ["=a", "+b", "=c"])
        #expect(marks(TextDiff.compare(old: "b", new: "a\nb\nc")) == ["+a", "=b", "+c"])
    }

    @Test func pureDeletions() {
        #expect(marks(TextDiff.compare(old: "a\nb\nc\nd", new: "a\nd")) == ["=a", "-b", "-c", "=d"])
    }

    @Test func replacementInTheMiddleShowsOldBeforeNew() {
        let diff = TextDiff.compare(old: "intro\nancien 1\nancien 2\nfin", new: "intro\nnouveau\nfin")
        #expect(marks(diff) == ["=intro", "-ancien 1", "-ancien 2", "+nouveau", "=fin"])
    }

    @Test func emptyAgainstNonEmpty() {
        #expect(marks(TextDiff.compare(old: "", new: "a\nb")) == ["+a", "+b"])
        #expect(marks(TextDiff.compare(old: "a\nb", new: "")) == ["-a", "-b"])
    }

    @Test func windowsLineBreaksSplitLines() {
        #expect(marks(TextDiff.compare(old: "a\r\nb", new: "a\nb")) == ["=a", "=b"])
    }

    @Test func interleavedEditsKeepTheLongestCommonPart() {
        let old = ["a", "b", "c", "a", "b", "b", "a"]
        let new = ["c", "b", "a", "b", "a", "c"]
        let diff = TextDiff.compare(oldLines: old, newLines: new)
        #expect(diff.filter { $0.kind != .added }.map(\.text) == old)
        #expect(diff.filter { $0.kind != .removed }.map(\.text) == new)
        // The classic example from Myers' paper: edit distance 5, so 4 lines kept.
        #expect(diff.filter { $0.kind == .same }.count == 4)
    }

    @Test func wholeRewriteIsRemovalThenAddition() {
        let diff = TextDiff.compare(old: "un\ndeux", new: "trois\nquatre\ncinq")
        #expect(marks(diff) == ["-un", "-deux", "+trois", "+quatre", "+cinq"])
    }

    @Test func hugeTextsFallBackToWholeReplacement() {
        let old = (0..<5_000).map { "ligne \($0)" }
        var new = old
        for index in stride(from: 0, to: 5_000, by: 3) { new[index] = "modifiée \(index)" }
        new[4_999] = "modifiée fin"
        let diff = TextDiff.compare(oldLines: old, newLines: new)
        #expect(diff.count == 10_000)
        #expect(diff.prefix(5_000).allSatisfy { $0.kind == .removed })
        #expect(diff.suffix(5_000).allSatisfy { $0.kind == .added })
    }

    @Test func aLocalEditInAHugeTextStaysPrecise() {
        // The common start and end are not subject to the cap.
        let old = (0..<10_000).map { "ligne \($0)" }
        var new = old
        new[5_000] = "modifiée"
        let changed = TextDiff.compare(oldLines: old, newLines: new).filter { $0.kind != .same }
        #expect(marks(changed) == ["-ligne 5000", "+modifiée"])
    }

    @Test func capCanBeLowered() {
        let diff = TextDiff.compare(old: "a\nb\nc\nd", new: "a\nx\nc\nd\ne", maxLines: 1)
        #expect(marks(diff) == ["=a", "-b", "-c", "-d", "+x", "+c", "+d", "+e"])
    }
}

@Suite struct RevisionDiffTests {
    @Test func identicalSnapshotsHaveNoChange() {
        let snapshot: [String: JSONValue] = ["title": .string("Atelier"), "year": .number(2023)]
        #expect(RevisionDiff.compare(old: snapshot, new: snapshot).isEmpty)
    }

    @Test func changedFieldsAreSortedByName() {
        let changes = RevisionDiff.compare(
            old: ["title": .string("Ancien"), "summary": .string("Un\nDeux"), "slug": .string("x")],
            new: ["title": .string("Nouveau"), "summary": .string("Un\nTrois"), "slug": .string("x")]
        )
        #expect(changes.map(\.field) == ["summary", "title"])
        #expect(changes[0].old == "Un\nDeux")
        #expect(changes[0].new == "Un\nTrois")
        #expect(marks(changes[0].lines) == ["=Un", "-Deux", "+Trois"])
    }

    @Test func scalarsReadAsFrench() {
        let changes = RevisionDiff.compare(
            old: ["count": .number(3), "ratio": .number(0.5), "public": .bool(false)],
            new: ["count": .number(4), "ratio": .number(0.75), "public": .bool(true)]
        )
        #expect(changes.map(\.field) == ["count", "public", "ratio"])
        #expect(changes.map(\.old) == ["3", "non", "0.5"])
        #expect(changes.map(\.new) == ["4", "oui", "0.75"])
    }

    @Test func addedAndRemovedFieldsHaveNilSide() {
        let changes = RevisionDiff.compare(old: ["gone": .string("a\nb")], new: ["born": .array([.string("x")])])
        #expect(changes.map(\.field) == ["born", "gone"])
        #expect(changes[0].old == nil)
        #expect(changes[0].new == "x")
        #expect(marks(changes[0].lines) == ["+x"])
        #expect(changes[1].new == nil)
        #expect(marks(changes[1].lines) == ["-a", "-b"])
    }

    @Test func emptyValuesCountAsAbsent() {
        // Lists decode a missing field as empty, so these are the same item.
        let changes = RevisionDiff.compare(
            old: ["tags": .array([]), "note": .null, "extra": .object([:])],
            new: ["summary": .string("")]
        )
        #expect(changes.isEmpty)
    }

    @Test func stringListsTakeOneLinePerElement() {
        let changes = RevisionDiff.compare(
            old: ["tags": .array([.string("mobilité"), .string("santé")])],
            new: ["tags": .array([.string("mobilité"), .string("numérique"), .string("santé")])]
        )
        #expect(changes.first?.new == "mobilité\nnumérique\nsanté")
        #expect(marks(changes.first?.lines ?? []) == ["=mobilité", "+numérique", "=santé"])
    }

    @Test func objectListsReadAsKeyValuePairs() {
        let exploring: JSONValue = .object(["stage": .string("exploring"), "since": .string("2022-09-01")])
        let prototyping: JSONValue = .object([
            "stage": .string("prototyping"), "since": .string("2023-03-01"),
            "note": .string("Premier pilote"), "reviewed": .bool(true), "weeks": .number(12),
            "empty": .null,
        ])
        let changes = RevisionDiff.compare(
            old: ["stage_history": .array([exploring])],
            new: ["stage_history": .array([exploring, prototyping])]
        )
        #expect(changes.count == 1)
        let change = changes[0]
        #expect(change.old == "since : 2022-09-01 · stage : exploring")
        let added = "note : Premier pilote · reviewed : oui · since : 2023-03-01 · stage : prototyping · weeks : 12"
        #expect(change.new == "since : 2022-09-01 · stage : exploring\n" + added)
        #expect(marks(change.lines) == ["=since : 2022-09-01 · stage : exploring", "+" + added])
    }

    @Test func objectFieldsTakeOneLinePerKey() {
        let changes = RevisionDiff.compare(
            old: ["extra": .object(["budget": .number(1_000), "partners": .array([.string("ADEME"), .string("Région")])])],
            new: ["extra": .object(["budget": .number(1_500), "partners": .array([.string("ADEME"), .string("Région")])])]
        )
        #expect(changes.first?.old == "budget : 1000\npartners : ADEME, Région")
        #expect(marks(changes.first?.lines ?? []) == ["-budget : 1000", "+budget : 1500", "=partners : ADEME, Région"])
    }

    @Test func timestampsAreIgnoredByDefault() {
        let old: [String: JSONValue] = ["title": .string("A"), "updated_at": .string("2024-01-01"), "created_at": .string("2023-01-01")]
        let new: [String: JSONValue] = ["title": .string("A"), "updated_at": .string("2024-02-01"), "created_at": .string("2023-01-02")]
        #expect(RevisionDiff.compare(old: old, new: new).isEmpty)
        #expect(RevisionDiff.compare(old: old, new: new, ignoring: []).map(\.field) == ["created_at", "updated_at"])
        #expect(RevisionDiff.compare(old: old, new: ["title": .string("B")], ignoring: ["title", "created_at", "updated_at"]).isEmpty)
    }

    @Test func summaryIsFrench() {
        func change(_ field: String) -> FieldChange { FieldChange(field: field, old: nil, new: "x", lines: []) }
        #expect(RevisionDiff.summary([]) == "aucune modification")
        #expect(RevisionDiff.summary([change("title")]) == "1 champ modifié : title")
        #expect(RevisionDiff.summary(["title", "summary", "stage_history"].map(change))
            == "3 champs modifiés : title, summary, stage_history")
        #expect(RevisionDiff.summary(["a", "b", "c", "d", "e", "f"].map(change)) == "6 champs modifiés : a, b, c, d, e et 1 autre")
        #expect(RevisionDiff.summary(["a", "b", "c", "d", "e", "f", "g"].map(change)) == "7 champs modifiés : a, b, c, d, e et 2 autres")
    }
}
