import Fluent
import Foundation
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

@Suite struct AccountTests {
    @Test func signInSetsAHardenedSessionCookieAndSignOutEndsIt() async throws {
        try await withApp { app in
            _ = try await TestWorld.make(app)
            var browser = TestBrowser(app)
            try await browser.get("/login")
            let page = try await browser.post("/login", [("email", "EDITEUR.A1@test.fr"), ("password", TestWorld.password), ("next", "/labs")])
            #expect(page.status == .seeOther)
            #expect(page.location == "/labs")
            let cookie = try #require(page.headers.first(name: .setCookie))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            let account = try await browser.get("/account")
            #expect(account.status == .ok)
            #expect(account.body.contains("Éditeur A1"))
            #expect(account.body.contains("Lab A1"))
            try await browser.post("/logout", [])
            let after = try await browser.get("/account")
            #expect(after.status == .seeOther)
            #expect(after.location?.hasPrefix("/login") == true)
        }
    }

    @Test func wrongPasswordsAreRefusedThenThrottled() async throws {
        try await withApp { app in
            _ = try await TestWorld.make(app)
            var browser = TestBrowser(app)
            try await browser.get("/login")
            let wrong = try await browser.post("/login", [("email", TestWorld.editorA1), ("password", "pas le bon")])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("Adresse électronique ou mot de passe incorrect."))
            #expect(wrong.body.contains("value=\"editeur.a1@test.fr\""), "the e-mail typed is kept")
            #expect(!wrong.body.contains("pas le bon"), "a password is never sent back")
            for _ in 0..<9 { try await browser.post("/login", [("email", TestWorld.editorA1), ("password", "encore faux")]) }
            let blocked = try await browser.post("/login", [("email", TestWorld.editorA1), ("password", TestWorld.password)])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.contains("réessayez dans 15 minutes"))
        }
    }

    @Test func formsWithoutTheCSRFTokenChangeNothing() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var browser = TestBrowser(app)
            try await browser.signIn(TestWorld.admin)
            let forged = try await browser.post("/labs/\(world.labA1.slug)/delete", [("_csrf", "forged"), ("_base_revision", "1")])
            #expect(forged.status == .forbidden)
            let stillThere = try await Lab.query(on: app.db).filter(\.$slug == world.labA1.slug).count()
            #expect(stillThere == 1)
            var anonymous = TestBrowser(app)
            let noSession = try await anonymous.post("/login", [("email", TestWorld.admin), ("password", TestWorld.password)], withCSRF: false)
            #expect(noSession.status == .forbidden)
        }
    }

    @Test func passwordChangeAndSingleUseReset() async throws {
        try await withApp { app in
            _ = try await TestWorld.make(app)
            var browser = TestBrowser(app)
            try await browser.signIn(TestWorld.outsider)
            let short = try await browser.post("/account/password", [("current_password", TestWorld.password),
                                                                       ("new_password", "court"), ("confirm_password", "court")])
            #expect(short.status == .unprocessableEntity)
            #expect(short.body.contains("au moins 12 caractères"))
            let changed = try await browser.post("/account/password", [("current_password", TestWorld.password),
                                                                         ("new_password", "nouveau-mot-de-passe"), ("confirm_password", "nouveau-mot-de-passe")])
            #expect(changed.body.contains("Votre mot de passe a été changé."))

            let user = try #require(try await User.query(on: app.db).filter(\.$email == TestWorld.outsider).first())
            let token = try await AccountService(database: app.db, application: app).createPasswordReset(for: user)
            var visitor = TestBrowser(app)
            #expect(try await visitor.get("/password/reset/\(token)").status == .ok)
            let reset = try await visitor.post("/password/reset/\(token)", [("new_password", "troisieme-mot-de-passe"),
                                                                          ("confirm_password", "troisieme-mot-de-passe")])
            #expect(reset.body.contains("vous pouvez vous connecter"))
            #expect(try await visitor.get("/password/reset/\(token)").status == .notFound, "a reset link works once")
            try await visitor.signIn(TestWorld.outsider, "troisieme-mot-de-passe")

            let expired = try await AccountService(database: app.db, application: app).createPasswordReset(for: user)
            let record = try #require(try await PasswordReset.query(on: app.db).filter(\.$tokenHash == Secrets.hash(expired)).first())
            record.expiresAt = Date().addingTimeInterval(-1)
            try await record.save(on: app.db)
            #expect(try await visitor.get("/password/reset/\(expired)").status == .notFound)
        }
    }

    @Test func forgottenPasswordPageSaysTheSameWhateverTheAddress() async throws {
        try await withApp { app in
            _ = try await TestWorld.make(app)
            var browser = TestBrowser(app)
            try await browser.get("/password/forgot")
            let known = try await browser.post("/password/forgot", [("email", TestWorld.outsider)])
            let unknown = try await browser.post("/password/forgot", [("email", "inconnu@test.fr")])
            #expect(known.status == .ok && unknown.status == .ok)
            #expect(known.body == unknown.body)
            let resets = try await PasswordReset.query(on: app.db).count()
            #expect(resets == 1)
        }
    }

    @Test func anAdministratorInvitesSomeoneWhoJoinsTheLabAsEditor() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var admin = TestBrowser(app)
            try await admin.signIn(TestWorld.admin)
            let form = try await admin.get("/invitations/new?type=labs&slug=\(world.labA2.slug)")
            #expect(form.status == .ok)
            let created = try await admin.post("/invitations", [("type", "labs"), ("slug", world.labA2.slug),
                                                                 ("email", "nouvelle@test.fr"), ("role", "editor")])
            #expect(created.status == .ok)
            let link = try #require(created.body.range(of: #"/invitations/[A-Za-z0-9_-]{20,}"#, options: .regularExpression)
                .map { String(created.body[$0]) })

            var newcomer = TestBrowser(app)
            let invitation = try await newcomer.get(link)
            #expect(invitation.body.contains("Rejoindre « Lab A2 »"))
            let mismatch = try await newcomer.post(link, [("name", "Nouvelle"), ("password", "un-mot-de-passe-long"), ("confirm_password", "autre-chose-encore")])
            #expect(mismatch.status == .unprocessableEntity)
            #expect(mismatch.body.contains("value=\"Nouvelle\""))
            let joined = try await newcomer.post(link, [("name", "Nouvelle"), ("password", "un-mot-de-passe-long"), ("confirm_password", "un-mot-de-passe-long")])
            #expect(joined.status == .seeOther)
            #expect(joined.location == "/labs/\(world.labA2.slug)")
            #expect(try await newcomer.get("/labs/\(world.labA2.slug)/edit").status == .ok, "the newcomer is an editor of the lab")
            #expect(try await newcomer.get(link).status == .notFound, "an invitation works once")
            try await newcomer.post("/logout", [])
            try await newcomer.signIn("nouvelle@test.fr", "un-mot-de-passe-long")
        }
    }

    @Test func onlyLabAdministratorsInvite() async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            var editor = TestBrowser(app)
            try await editor.signIn(TestWorld.editorA1)
            #expect(try await editor.get("/invitations/new?type=labs&slug=\(world.labA1.slug)").status == .forbidden)
            #expect(try await editor.get("/invitations/new").status == .forbidden)
        }
    }

    @Test func commandLineTokensAuthenticateTheAPIAndRevokedOnesDoNot() async throws {
        try await withApp { app in
            _ = try await TestWorld.make(app)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == TestWorld.editorA1).first())
            let (token, record) = try await AccountService(database: app.db, application: app).createToken(for: user, label: "script")
            #expect(record.tokenHash == Secrets.hash(token))
            #expect(!record.tokenHash.contains(token), "only the hash is stored")
            var status = HTTPStatus.ok
            try await app.testing().test(.GET, "/api/v1/labs", beforeRequest: { $0.headers.bearerAuthorization = .init(token: token) }) { status = $0.status }
            #expect(status == .ok)
            // Its use is recorded after the answer, with the other saves.
            #expect(await app.backgroundWrites.drained(within: .seconds(10)))
            let used = try await APIToken.find(record.requireID(), on: app.db)
            #expect(used?.lastUsedAt != nil)
            record.revokedAt = Date()
            try await record.save(on: app.db)
            try await app.testing().test(.GET, "/api/v1/labs", beforeRequest: { $0.headers.bearerAuthorization = .init(token: token) }) { status = $0.status }
            #expect(status == .unauthorized)
        }
    }
}
