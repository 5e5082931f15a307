import Fluent
import Foundation
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

@Suite struct EditingTests {
    /// The fields of a new project as the form sends them.
    static func projectForm(_ title: String, lab: String, summary: String = "Un résumé.") -> [(String, String)] {
        [("title", title), ("summary", summary), ("labs", lab), ("stage", "exploration"), ("visibility", "public"),
         ("description", "Une **description**."), ("team", "Camille Martin ; porteur\nLéa Petit ; coach")]
    }

    @Test func anEditorCreatesAProjectMovesItAndRecordsADecision() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            #expect(try await editor.get("/projects/new").status == .ok)
            let created = try await editor.post("/projects", Self.projectForm("Cantine zéro déchet", lab: world.labA1.slug))
            #expect(created.status == .seeOther)
            let path = try #require(created.location)
            #expect(path == "/projects/cantine-zero-dechet")

            let page = try await editor.get(path)
            #expect(page.body.contains("Faire évoluer le projet"))
            let today = ParisTime.calendarDate(Date()).description
            let moved = try await editor.post(path + "/stages", [("stage", "prototyping"), ("since", today), ("note", "Prototype en salle"), ("_base_revision", "1")])
            #expect(moved.status == .seeOther)
            let decided = try await editor.post(path + "/decisions", [("date", today), ("kind", "end_of_investigation"), ("outcome", "continue"), ("_base_revision", "2")])
            #expect(decided.status == .seeOther)
            let after = try await editor.get(path)
            #expect(after.body.contains("Prototypage"))
            #expect(after.body.contains("Prototype en salle"))
            #expect(after.body.contains("Fin d&#39;investigation"))

            let bad = try await editor.post(path + "/stages", [("stage", "prototyping"), ("since", "2020-01-01"), ("note", "Ma note à garder"), ("_base_revision", "3")])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("ne peut commencer avant la phase actuelle"))
            #expect(bad.body.contains("Ma note à garder"), "what was typed comes back")

            let history = try await editor.get(path + "/history")
            #expect(history.body.contains("Création") && history.body.contains("Passage en phase « Prototypage »"))
            let revisions = try await Revision.query(on: app.db).count()
            #expect(revisions >= 3)
        }
    }

    @Test func invalidInputComesBackWithMessagesNextToFields() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            try await editor.get("/sessions/new")
            let page = try await editor.post("/sessions", [("title", "Atelier « usagers » très attendu"), ("date", "31/02/2026"), ("lab", world.labA1.slug),
                                                            ("level", "5"), ("participants", "douze"), ("visibility", "public")])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.contains("Atelier « usagers » très attendu"))
            #expect(page.body.contains("Date invalide"))
            #expect(page.body.contains("aria-describedby=\"champ-date-erreur\"") || page.body.contains("champ-date-erreur"))
            #expect(page.body.contains("error-summary"))
            let count = try await WorkSession.query(on: app.db).count()
            #expect(count == 0, "a failed save writes nothing")
        }
    }

    @Test func aConflictingEditIsCaughtAndTheTextKept() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var first = TestBrowser(app)
            var second = TestBrowser(app)
            try await first.signIn(TestWorld.editorA1)
            try await second.signIn(TestWorld.admin)
            let path = "/labs/\(world.labA1.slug)"
            try await first.get(path + "/edit")
            try await second.get(path + "/edit")
            let base: [(String, String)] = [("name", "Lab A1"), ("region", "Bretagne"), ("maturity", "active"), ("visibility", "public"),
                                            ("networks", world.networkA.slug), ("_base_revision", "1")]
            let saved = try await second.post(path, base + [("objectives", "Objectifs de l'administratrice")])
            #expect(saved.status == .seeOther)
            let conflict = try await first.post(path, base + [("objectives", "Mon long texte que je ne veux pas perdre")])
            #expect(conflict.status == .conflict)
            #expect(conflict.body.contains("Quelqu'un a modifié cet élément"))
            #expect(conflict.body.contains("Mon long texte que je ne veux pas perdre"))
            #expect(conflict.body.contains("Objectifs de l&#39;administratrice") || conflict.body.contains("Objectifs de l'administratrice"))
            #expect(conflict.body.contains("name=\"_base_revision\" value=\"2\""))
            let lab = try #require(try await Lab.find(world.labA1.id, on: app.db))
            #expect(lab.objectives == "Objectifs de l'administratrice")
            let resolved = try await first.post(path, base.filter { $0.0 != "_base_revision" } + [("_base_revision", "2"), ("objectives", "Mon long texte que je ne veux pas perdre")])
            #expect(resolved.status == .seeOther)
        }
    }

    @Test func historyRestoresAnEarlierRevisionAsANewOne() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            let path = "/labs/\(world.labA1.slug)"
            try await editor.get(path + "/edit")
            let fields: [(String, String)] = [("name", "Lab A1 renommé"), ("region", "Bretagne"), ("maturity", "paused"), ("visibility", "public"),
                                              ("networks", world.networkA.slug), ("_base_revision", "1")]
            #expect(try await editor.post(path, fields).status == .seeOther)
            let history = try await editor.get(path + "/history?from=1&to=2")
            #expect(history.body.contains("Lab A1 renommé"))
            #expect(history.body.contains("diff-removed"))
            let restored = try await editor.post(path + "/history/1/restore", [("_base_revision", "2")])
            #expect(restored.status == .seeOther)
            let lab = try #require(try await Lab.find(world.labA1.id, on: app.db))
            #expect(lab.name == "Lab A1")
            #expect(lab.maturity == .active)
            #expect(lab.revision == 3)
            let last = try #require(try await RevisionLog(database: app.db).revision(3, of: try lab.requiredID))
            #expect(last.action == .restore)
            #expect(try await editor.get(path + "/history?from=99").status == .badRequest)
        }
    }

    @Test func deletionIsARevisionAndOnlyAnAdministratorUndoesIt() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            let created = try await editor.post("/projects", Self.projectForm("Projet à supprimer", lab: world.labA1.slug))
            let path = try #require(created.location)
            #expect(try await editor.get(path + "/delete").status == .ok)
            #expect(try await editor.post(path + "/delete", [("_base_revision", "1")]).status == .seeOther)
            #expect(try await editor.get(path).status == .notFound)
            #expect(!(try await editor.get("/projects").body.contains(path)))
            #expect(try await editor.get(path + "/history").status == .notFound, "only administrators see deleted items")
            #expect(try await editor.post(path + "/undelete", []).status == .forbidden)

            var admin = TestBrowser(app)
            try await admin.signIn(TestWorld.admin)
            let history = try await admin.get(path + "/history")
            #expect(history.body.contains("Cet élément a été supprimé"))
            #expect(try await admin.post(path + "/undelete", []).status == .seeOther)
            #expect(try await editor.get(path).status == .ok)
            let actions = try await Revision.query(on: app.db).sort(\.$number).all().filter { $0.itemType == .projects }.map(\.action)
            #expect(actions == [.create, .delete, .undelete])
        }
    }

    @Test func rightsAreCheckedOnEveryWrite() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var anonymous = TestBrowser(app)
            let redirect = try await anonymous.get("/labs/\(world.labA1.slug)/edit")
            #expect(redirect.status == .seeOther)
            #expect(redirect.location == "/login?next=/labs/\(world.labA1.slug)/edit")

            var outsider = TestBrowser(app)
            try await outsider.signIn(TestWorld.outsider)
            #expect(try await outsider.get("/labs/\(world.labA1.slug)/edit").status == .forbidden)
            #expect(try await outsider.get("/projects/new").status == .forbidden)

            var member = TestBrowser(app)
            try await member.signIn(TestWorld.memberA1)
            #expect(try await member.get("/labs/\(world.labA1.slug)/edit").status == .forbidden, "members read, editors write")

            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            #expect(try await editor.get("/labs/\(world.labB1.slug)/edit").status == .forbidden)
            let elsewhere = try await editor.post("/projects", Self.projectForm("Projet ailleurs", lab: world.labB1.slug))
            #expect(elsewhere.status == .unprocessableEntity)
            #expect(elsewhere.body.contains("Vous ne pouvez rattacher cet élément qu&#39;à un lab") || elsewhere.body.contains("Vous ne pouvez rattacher cet élément qu'à un lab"))
            let projects = try await Project.query(on: app.db).count()
            #expect(projects == 0)
        }
    }
}

@Suite struct APIWriteTests {
    static func request(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil,
                        ifMatch: String? = nil) async throws -> (status: HTTPStatus, body: String, headers: HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        try await app.testing().test(method, path, beforeRequest: { request in
            if let token { request.headers.bearerAuthorization = .init(token: token) }
            if let ifMatch { request.headers.replaceOrAdd(name: .ifMatch, value: ifMatch) }
            if let json {
                request.headers.contentType = .json
                request.body = ByteBuffer(string: json)
            }
        }, afterResponse: { response in
            result = (response.status, response.body.string, response.headers)
        })
        return result
    }

    @Test func createReadUpdateDeleteWithETags() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let token = try await world.token(for: TestWorld.editorA1)
            let body = #"{"title": "Guichet unique", "stage": "exploration", "labs": ["\#(world.labA1.slug)"], "summary": "Un seul guichet."}"#
            #expect(try await Self.request(app, .POST, "/api/v1/projects", token: nil, json: body).status == .unauthorized)
            let created = try await Self.request(app, .POST, "/api/v1/projects", token: token, json: body)
            #expect(created.status == .created)
            #expect(created.headers.first(name: .location) == "/api/v1/projects/guichet-unique")
            #expect(created.headers.first(name: .eTag) == "\"1\"")

            let patch = #"{"summary": "Un guichet, enfin."}"#
            #expect(try await Self.request(app, .PATCH, "/api/v1/projects/guichet-unique", token: token, json: patch).status == .preconditionRequired)
            let patched = try await Self.request(app, .PATCH, "/api/v1/projects/guichet-unique", token: token, json: patch, ifMatch: "\"1\"")
            #expect(patched.status == .ok)
            #expect(patched.headers.first(name: .eTag) == "\"2\"")
            #expect(patched.body.contains("Un guichet, enfin."))
            #expect(patched.body.contains("\"labs\":[\"\(world.labA1.slug)\"]"), "PATCH keeps the fields it does not name")
            let stale = try await Self.request(app, .PATCH, "/api/v1/projects/guichet-unique", token: token, json: patch, ifMatch: "\"1\"")
            #expect(stale.status == .preconditionFailed)

            let put = #"{"title": "Guichet unique", "stage": "prototyping", "labs": ["\#(world.labA1.slug)"]}"#
            let replaced = try await Self.request(app, .PUT, "/api/v1/projects/guichet-unique", token: token, json: put, ifMatch: "\"2\"")
            #expect(replaced.status == .ok)
            #expect(!replaced.body.contains("Un guichet, enfin."), "PUT replaces the whole item")

            #expect(try await Self.request(app, .DELETE, "/api/v1/projects/guichet-unique", token: token).status == .preconditionRequired)
            #expect(try await Self.request(app, .DELETE, "/api/v1/projects/guichet-unique", token: token, ifMatch: "\"3\"").status == .noContent)
            #expect(try await Self.request(app, .GET, "/api/v1/projects/guichet-unique", token: nil).status == .notFound)
        }
    }

    @Test func invalidBodiesAre422WithFieldErrors() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let token = try await world.token(for: TestWorld.admin)
            let badVocabulary = try await Self.request(app, .POST, "/api/v1/labs", token: token, json: #"{"name": "Lab", "maturity": "nonsense"}"#)
            #expect(badVocabulary.status == .unprocessableEntity)
            #expect(badVocabulary.body.contains("\"field\":\"maturity\""))
            let missing = try await Self.request(app, .POST, "/api/v1/labs", token: token, json: #"{"name": "", "postal_code": "12", "website": "ftp://x"}"#)
            #expect(missing.status == .unprocessableEntity)
            for field in ["name", "postal_code", "website"] { #expect(missing.body.contains("\"field\":\"\(field)\"")) }
            let notJSON = try await Self.request(app, .POST, "/api/v1/labs", token: token, json: "{not json")
            #expect(notJSON.status == .unprocessableEntity)
            let unknownLab = try await Self.request(app, .POST, "/api/v1/projects", token: token, json: #"{"title": "P", "stage": "exploration", "labs": ["nowhere"]}"#)
            #expect(unknownLab.status == .unprocessableEntity)
            #expect(unknownLab.body.contains("\"field\":\"labs\""))
            // Each wrong field is named once.
            let noStage = try await Self.request(app, .POST, "/api/v1/projects", token: token, json: #"{"title": "P"}"#)
            #expect(noStage.status == .unprocessableEntity)
            #expect(noStage.body.components(separatedBy: "\"field\":\"stage\"").count == 2, "\(noStage.body)")
            let count = try await Lab.query(on: app.db).count()
            #expect(count == 3, "nothing was written")
        }
    }

    /// A network's labs are written on each lab: the API shows them on the
    /// network, takes them back unchanged, and refuses (422, naming `labs`)
    /// a network write that would change them, instead of dropping the change.
    @Test func aNetworksLabsAreRefusedRatherThanDropped() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let token = try await world.token(for: TestWorld.admin)
            let path = "/api/v1/networks/\(world.networkA.slug)"
            let labs = [world.labA1.slug, world.labA2.slug]
            func labsJSON(_ slugs: [String]) -> String { "[" + slugs.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
            func labCount(_ body: String) -> Int { labs.filter { body.contains("\"\($0)\"") }.count }

            let created = try await Self.request(app, .POST, "/api/v1/networks", token: token,
                                                  json: #"{"name": "Réseau C", "labs": \#(labsJSON([world.labB1.slug]))}"#)
            #expect(created.status == .unprocessableEntity)
            #expect(created.body.contains("\"field\":\"labs\""))
            #expect(try await Self.request(app, .POST, "/api/v1/networks", token: token, json: #"{"name": "Réseau D", "labs": []}"#).status == .created)

            let asRead = try await Self.request(app, .PUT, path, token: token,
                                                 json: #"{"name": "Réseau A", "description": "Relu.", "labs": \#(labsJSON(labs.reversed()))}"#, ifMatch: "\"1\"")
            #expect(asRead.status == .ok, "\(asRead.body)")
            let leftOut = try await Self.request(app, .PUT, path, token: token, json: #"{"name": "Réseau A"}"#, ifMatch: "\"2\"")
            #expect(leftOut.status == .ok)
            #expect(labCount(leftOut.body) == 2, "left out, the labs stay")

            let changed = try await Self.request(app, .PUT, path, token: token,
                                                  json: #"{"name": "Réseau A", "labs": \#(labsJSON([world.labA1.slug]))}"#, ifMatch: "\"3\"")
            #expect(changed.status == .unprocessableEntity)
            #expect(changed.body.contains("\"field\":\"labs\""))
            let patched = try await Self.request(app, .PATCH, path, token: token, json: #"{"labs": []}"#, ifMatch: "\"3\"")
            #expect(patched.status == .unprocessableEntity)
            let renamed = try await Self.request(app, .PATCH, path, token: token, json: #"{"name": "Réseau A bis"}"#, ifMatch: "\"3\"")
            #expect(renamed.status == .ok)
            #expect(labCount(try await app.get(path).body) == 2, "nothing was dropped")
        }
    }

    @Test func tokensOnlyWriteWhereTheirOwnerMay() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let token = try await world.token(for: TestWorld.editorA1)
            let other = try await Self.request(app, .PATCH, "/api/v1/labs/\(world.labB1.slug)", token: token, json: #"{"name": "Pris"}"#, ifMatch: "\"1\"")
            #expect(other.status == .forbidden)
            let memberToken = try await world.token(for: TestWorld.memberA1)
            let member = try await Self.request(app, .POST, "/api/v1/sessions", token: memberToken,
                                                json: #"{"title": "S", "date": "2026-01-01", "lab": "\#(world.labA1.slug)"}"#)
            #expect(member.status == .forbidden)
            let cookieOnly = try await Self.request(app, .DELETE, "/api/v1/labs/\(world.labA1.slug)", token: nil, ifMatch: "\"1\"")
            #expect(cookieOnly.status == .unauthorized)
        }
    }
}
