import Testing
@testable import LabAtlasCore

@Suite struct SearchDocIDTests {
    @Test func typeAndVisibilityRoundTripAndSequenceOrdersWithinARange() {
        for type in ItemType.allCases {
            for visibility in Visibility.allCases {
                let first = SearchDocID.make(type: type, visibility: visibility, sequence: 1)
                let later = SearchDocID.make(type: type, visibility: visibility, sequence: 99_999)
                #expect(SearchDocID.type(of: first) == type)
                #expect(SearchDocID.sequence(of: later) == 99_999)
                #expect(first < later)
                #expect(SearchDocID.range(type: type, visibilities: [visibility]).contains(first))
                #expect(SearchDocID.range(type: type).contains(later))
            }
        }
    }

    @Test func rangesOfDifferentTypesOrVisibilitiesNeverOverlap() {
        var ranges: [ClosedRange<Int64>] = []
        for type in ItemType.allCases {
            for visibility in Visibility.allCases { ranges.append(SearchDocID.range(type: type, visibilities: [visibility])) }
        }
        for (index, range) in ranges.enumerated() {
            for other in ranges[(index + 1)...] { #expect(!range.overlaps(other)) }
        }
        let id = SearchDocID.make(type: .projects, visibility: .members, sequence: 42)
        #expect(!SearchDocID.range(type: .projects, visibilities: [.public]).contains(id))
        #expect(SearchDocID.range(type: .projects, visibilities: [.network, .members]).contains(id))
        #expect(!SearchDocID.range(type: .sessions).contains(id))
    }

    @Test func aScopeIsTheTypeAndVisibilityOfItsDocuments() {
        let id = SearchDocID.make(type: .sessions, visibility: .members, sequence: 123_456)
        let scope = SearchDocID.scope(of: id)
        #expect(scope == SearchDocID.scope(type: .sessions, visibility: .members))
        #expect(scope != SearchDocID.scope(type: .sessions, visibility: .network))
        #expect(SearchDocID.make(scope: scope, sequence: SearchDocID.sequence(of: id)) == id)
    }
}
