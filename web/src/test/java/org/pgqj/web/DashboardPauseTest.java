package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.PausedEntrypoint;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/**
 * Pause and resume on the workers page over HTTP, under the dashboard's rules for actions: Basic auth, the CSRF
 * token, read-only; who paused is the dashboard's user; without pgqj's control tables the page says how to install
 * them.
 */
@QueueTest
class DashboardPauseTest {

    static TestDatabase db;
    static DashboardServer server;
    static DashboardServer readOnly;
    static DashboardServer bare;
    static Http admin;

    @BeforeAll
    static void start(TestDatabase database, TestQueue migrated) throws InterruptedException { // taking the TestQueue migrates now
        db = database;
        ControlsSchema.forDataSource(db.dataSource()).install();
        QueueTables noControls = QueueTables.of(new PgqueuerNames("bare_", PgqueuerNames.DEFAULT_SCHEMA));
        PgqueuerSchema.forDataSource(db.dataSource()).names(noControls.names()).migrate();
        Dashboard dashboard = Dashboard.builder(db.dataSource(), QueueTables.defaults()).basicAuth("admin", "s3cret").build();
        server = DashboardServer.start(dashboard, "127.0.0.1", 0);
        readOnly = DashboardServer.start(Dashboard.builder(db.dataSource(), QueueTables.defaults()).readOnly(true).build(),
                "127.0.0.1", 0);
        bare = DashboardServer.start(Dashboard.builder(db.dataSource(), noControls).build(), "127.0.0.1", 0);
        assertTrue(dashboard.awaitListening(Duration.ofSeconds(10)));
        admin = new Http(root(server), "admin", "s3cret");
    }

    @AfterAll
    static void stop() {
        for (DashboardServer s : new DashboardServer[] {server, readOnly, bare}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static List<PausedEntrypoint> paused() {
        return QueueAdmin.create(QueueTables.defaults()).pausedEntrypoints(QueueTables.defaults().dsl(db.dataSource()));
    }

    @Test
    void pauseAndResumeFollowTheRulesOfEveryAction() {
        assertEquals(401, Http.anonymous(root(server)).post("/actions/pause", "entrypoint", "mail").statusCode());
        HttpResponse<String> page = admin.get("/workers");
        assertTrue(page.body().contains("No entrypoint is paused."), page.body());
        assertEquals(403, admin.post("/actions/pause", "entrypoint", "mail").statusCode(), "no CSRF token");
        assertEquals(List.of(), paused());

        String token = Http.csrf(page);
        HttpResponse<String> done = admin.post("/actions/pause", "entrypoint", "mail", "csrf", token);
        assertEquals(303, done.statusCode(), done.body());
        assertTrue(done.headers().firstValue("Location").orElse("").endsWith("/workers?paused=1#paused"), done.headers().toString());
        assertEquals(List.of("mail"), paused().stream().map(PausedEntrypoint::entrypoint).toList());
        assertEquals("dashboard (admin)", paused().getFirst().pausedBy());

        HttpResponse<String> after = admin.get("/workers?paused=1");
        assertTrue(after.body().contains("Entrypoint paused for every Java worker; they are notified at once."), after.body());
        assertTrue(after.body().contains("data-entrypoint=\"mail\""), after.body());
        assertEquals("/workers?paused=0#paused", path(admin.post("/actions/pause", "entrypoint", "mail", "csrf", token)));

        HttpResponse<String> ro = Http.anonymous(root(readOnly)).get("/workers");
        assertTrue(ro.body().contains("data-entrypoint=\"mail\"") && !ro.body().contains("/actions/resume"),
                "read-only shows the pause without the button");
        assertEquals(403, Http.anonymous(root(readOnly)).post("/actions/resume", "entrypoint", "mail").statusCode());

        assertEquals(400, admin.post("/actions/pause", "entrypoint", " ", "csrf", token).statusCode());
        assertEquals("/workers?resumed=1#paused", path(admin.post("/actions/resume", "entrypoint", "mail", "csrf", token)));
        assertEquals(List.of(), paused());
        assertEquals("/workers?resumed=0#paused", path(admin.post("/actions/resume", "entrypoint", "mail", "csrf", token)));
    }

    @Test
    void withoutTheControlTablesThePageNamesTheInstallStep() {
        Http viewer = Http.anonymous(root(bare));
        HttpResponse<String> page = viewer.get("/workers");
        assertTrue(page.body().contains("id=\"controls-missing\"") && page.body().contains("pgqj install --controls"),
                page.body());
        assertFalse(page.body().contains("id=\"pause-form\""));
    }

    private static String path(HttpResponse<String> r) {
        String location = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError(r.statusCode() + " " + r.body()));
        return location.substring(location.indexOf("/workers"));
    }

    private static String root(DashboardServer s) {
        return "http://127.0.0.1:" + s.port();
    }
}
