package org.pgqj.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/**
 * The dashboard over HTTP: Basic auth, CSRF on every action, read-only mode, response headers, and one LISTEN
 * shared by every viewer's event stream.
 */
@QueueTest
class DashboardSecurityTest {

    static Rows rows;
    static DashboardServer server;
    static DashboardServer readOnlyServer;
    static Http admin;
    static long held;

    @BeforeAll
    static void start(TestDatabase db, TestQueue migrated) throws InterruptedException { // taking the TestQueue migrates now
        rows = new Rows(db.dataSource());
        Dashboard dashboard = Dashboard.builder(db.dataSource(), QueueTables.defaults()).basicAuth("admin", "s3cret").build();
        server = DashboardServer.start(dashboard, "127.0.0.1", 0);
        readOnlyServer = DashboardServer.start(Dashboard.builder(db.dataSource(), QueueTables.defaults()).readOnly(true)
                .build(), "127.0.0.1", 0);
        assertTrue(dashboard.awaitListening(Duration.ofSeconds(10)));
        admin = new Http(root(server), "admin", "s3cret");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (readOnlyServer != null) {
            readOnlyServer.close();
        }
    }

    @BeforeEach
    void heldJob() {
        held = rows.pythonEnqueue("py_fail", "{}".getBytes(UTF_8), 0, null);
        UUID qm = UUID.randomUUID();
        rows.pythonPick(qm, Duration.ZERO, held);
        rows.pythonHoldFailed(held, qm, "ValueError", "no");
    }

    @Test
    void withoutTheRightCredentialsEveryPathIs401() {
        for (String path : List.of("/", "/jobs", "/failures", "/events", "/assets/dashboard.js", "/nope")) {
            HttpResponse<String> r = Http.anonymous(root(server)).get(path);
            assertEquals(401, r.statusCode(), path);
            assertEquals("Basic realm=\"pgqj\", charset=\"UTF-8\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        assertEquals(401, new Http(root(server), "admin", "wrong").get("/").statusCode());
        assertEquals(401, new Http(root(server), "root", "s3cret").get("/").statusCode());
        HttpResponse<String> ok = admin.get("/");
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("<h1>Overview</h1>"));
    }

    @Test
    void pagesCarryAStrictContentSecurityPolicy() {
        HttpResponse<String> r = new Http(root(server), "admin", "s3cret").get("/failures"); // a new cookie jar
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertFalse(r.body().contains("<script>"), "no inline script: the only script is the dashboard's own file");
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("pgqj_csrf=")).findFirst().orElse("");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), cookie);
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedAndChangesNothing() {
        HttpResponse<String> page = admin.get("/failures"); // sets the cookie
        String token = Http.csrf(page);
        HttpResponse<String> none = admin.post("/actions/requeue", "ids", Long.toString(held));
        assertEquals(403, none.statusCode());
        assertTrue(none.body().contains("CSRF token is missing or wrong"), none.body());
        HttpResponse<String> wrong = admin.post("/actions/cancel", "ids", Long.toString(held), "csrf", token.substring(1) + "x");
        assertEquals(403, wrong.statusCode());
        // the right token from another browser (no cookie) is refused too: double submit needs both
        Http other = new Http(root(server), "admin", "s3cret");
        assertEquals(403, other.post("/actions/cancel", "ids", Long.toString(held), "csrf", token).statusCode());
        assertEquals(List.of("failed"), rows.strings("SELECT status::text FROM pgqueuer WHERE id = ?", held));

        HttpResponse<String> done = admin.post("/actions/requeue", "ids", Long.toString(held), "csrf", token);
        assertEquals(303, done.statusCode());
        assertEquals("/failures?requeued=1&of=1", done.headers().firstValue("Location").orElse(""));
        assertEquals(List.of("queued"), rows.strings("SELECT status::text FROM pgqueuer WHERE id = ?", held));
        assertEquals(404, admin.get("/actions/requeue").statusCode(), "actions are POST only");
    }

    @Test
    void readOnlyShowsNoActionsAndAcceptsNone() {
        Http viewer = Http.anonymous(root(readOnlyServer));
        HttpResponse<String> page = viewer.get("/failures");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Read-only dashboard: no actions."));
        assertFalse(page.body().contains("requeue-selected") || page.body().contains("cancel-selected"));
        assertFalse(viewer.get("/jobs/" + held).body().contains("id=\"cancel\""));
        HttpResponse<String> post = viewer.post("/actions/cancel", "ids", Long.toString(held), "csrf", Http.csrf(page));
        assertEquals(403, post.statusCode());
        assertTrue(post.body().contains("read-only"));
        assertEquals(List.of("failed"), rows.strings("SELECT status::text FROM pgqueuer WHERE id = ?", held));
    }

    @Test
    void badInputIsNamedNotGuessed() {
        assertEquals(404, admin.get("/jobs/abc").statusCode());
        HttpResponse<String> filter = admin.get("/jobs?priority=high");
        assertTrue(filter.body().contains("priority must be a whole number (got &#39;high&#39;)")
                || filter.body().contains("priority must be a whole number (got 'high')"), filter.body());
        HttpResponse<String> page = admin.get("/failures");
        HttpResponse<String> ids = admin.post("/actions/cancel", "ids", "1;DROP TABLE pgqueuer", "csrf", Http.csrf(page));
        assertEquals(400, ids.statusCode());
        assertTrue(ids.body().contains("A job id must be a whole number"));
        assertEquals(1, rows.count("SELECT count(*) FROM pgqueuer"));
        HttpResponse<String> missing = admin.get("/jobs/987654321");
        assertTrue(missing.body().contains("No job 987654321"));
    }

    @Test
    void oneListenFeedsEveryViewer() throws InterruptedException {
        List<BlockingQueue<String>> viewers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            viewers.add(admin.events("/events"));
        }
        for (BlockingQueue<String> v : viewers) {
            // the held job came by UPDATE (no NOTIFY): the connect snapshot or the sweep shows it
            awaitEvent(v, "\"failed\":1");
        }
        rows.pythonEnqueue("fan_out", "{}".getBytes(UTF_8), 0, null);
        for (BlockingQueue<String> v : viewers) {
            awaitEvent(v, "\"entrypoint\":\"fan_out\",\"due\":1"); // the NOTIFY reached every viewer
        }
        // five viewers, one LISTEN connection (the read-only server has its own)
        assertEquals(2, rows.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = 'pgqj-web'"));
    }

    private static void awaitEvent(BlockingQueue<String> events, String part) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String e = events.poll(200, TimeUnit.MILLISECONDS);
            if (e != null && e.contains(part)) {
                return;
            }
            if (e != null) {
                seen.add(e);
            }
        }
        throw new AssertionError("no event with " + part + " within 15 s; saw " + seen);
    }

    private static String root(DashboardServer s) {
        return "http://127.0.0.1:" + s.port();
    }
}
