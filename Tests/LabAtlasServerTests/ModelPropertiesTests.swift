import Fluent
import Foundation
import Testing
@testable import LabAtlasServer

/// The models list their fields instead of letting Fluent find them by
/// reflection: the list must hold every field, once, in declaration order.
@Suite struct ModelPropertiesTests {
    /// What differs between the fields a model declares and those it lists.
    static func differences<M: Model>(_ type: M.Type) -> [String] {
        let model = M()
        let declared = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
        let listed = model.properties
        var found: [String] = []
        if listed.count != declared.count { found.append("\(M.self): \(listed.count) fields listed, \(declared.count) declared") }
        for (offset, (one, other)) in zip(declared, listed).enumerated() where one as AnyObject !== other as AnyObject {
            found.append("\(M.self): field \(offset) is not the one declared there")
        }
        return found
    }

    @Test func everyModelListsItsFields() {
        let found = Self.differences(Lab.self) + Self.differences(Project.self) + Self.differences(Experience.self)
            + Self.differences(WorkSession.self) + Self.differences(Event.self) + Self.differences(FacilitationMethod.self)
            + Self.differences(LabAtlasServer.Network.self) + Self.differences(ItemLink.self) + Self.differences(ItemFacet.self)
            + Self.differences(Revision.self) + Self.differences(User.self) + Self.differences(Membership.self)
            + Self.differences(APIToken.self) + Self.differences(Invitation.self) + Self.differences(PasswordReset.self)
            + Self.differences(LoginAttempt.self)
        #expect(found.isEmpty, "\(found)")
    }

    final class Partial: Model, @unchecked Sendable {
        static let schema = "partial"
        @ID(key: .id) var id: UUID?
        @Field(key: "a") var a: String
        @Field(key: "b") var b: String
        init() {}
        var properties: [any AnyProperty] { [$id, $a] }
    }

    final class Swapped: Model, @unchecked Sendable {
        static let schema = "swapped"
        @ID(key: .id) var id: UUID?
        @Field(key: "a") var a: String
        @Field(key: "b") var b: String
        init() {}
        var properties: [any AnyProperty] { [$id, $b, $a] }
    }

    /// The check catches a forgotten field and a field out of place.
    @Test func theCheckCatchesAForgottenField() {
        #expect(Self.differences(Partial.self).count == 1)
        #expect(Self.differences(Swapped.self).count == 2)
    }
}
