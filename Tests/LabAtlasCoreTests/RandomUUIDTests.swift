import Foundation
import Testing
@testable import LabAtlasCore

@Suite struct RandomUUIDTests {
    @Test func randomUUIDsAreVersionFourAndDistinct() {
        let uuids = (0..<1_000).map { _ in UUID.random() }
        #expect(Set(uuids).count == uuids.count)
        for uuid in uuids {
            let text = uuid.uuidString
            // xxxxxxxx-xxxx-4xxx-[89AB]xxx-xxxxxxxxxxxx
            #expect(Array(text)[14] == "4")
            #expect("89AB".contains(Array(text)[19]))
            #expect(UUID(uuidString: text) == uuid)
        }
        // Every other hex digit varies: the random bits are all used.
        for position in [0, 9, 15, 20, 35] {
            #expect(Set(uuids.map { Array($0.uuidString)[position] }).count > 8)
        }
    }
}
