package org.pgqj.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;

/**
 * The dashboard mounted the way a Spring Boot app mounts a servlet: in embedded Tomcat 11 (Boot 4's container),
 * under context path {@code /app} and servlet mapping {@code /pgqj/*}, with async support on. Links, assets, the
 * CSRF cookie, actions and the event stream all live under {@code /app/pgqj}.
 */
@QueueTest
class ServletMountTest {

    static Tomcat tomcat;
    static Rows rows;
    static String root;

    @BeforeAll
    static void mount(TestDatabase db, TestQueue migrated) throws Exception { // taking the TestQueue migrates now
        rows = new Rows(db.dataSource());
        Path base = Files.createTempDirectory("pgqj-tomcat-");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        Context context = tomcat.addContext("/app", base.toString());
        Wrapper servlet = Tomcat.addServlet(context, "pgqj",
                Dashboard.builder(db.dataSource(), QueueTables.defaults()).build());
        servlet.setAsyncSupported(true);
        servlet.setLoadOnStartup(1);
        context.addServletMappingDecoded("/pgqj/*", "pgqj");
        tomcat.getConnector(); // creates the default HTTP connector
        tomcat.start();
        root = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void pagesLinksAndAssetsFollowTheMountPath() {
        Http http = Http.anonymous(root);
        HttpResponse<String> bare = http.get("/app/pgqj");
        assertEquals(302, bare.statusCode());
        assertEquals("/app/pgqj/", bare.headers().firstValue("Location").orElse(""));
        HttpResponse<String> page = http.get("/app/pgqj/");
        assertEquals(200, page.statusCode());
        for (String link : List.of("href=\"/app/pgqj/jobs\"", "href=\"/app/pgqj/failures\"",
                "href=\"/app/pgqj/assets/dashboard.css\"", "src=\"/app/pgqj/assets/dashboard.js\"", "data-base=\"/app/pgqj\"")) {
            assertTrue(page.body().contains(link), link);
        }
        assertEquals(200, http.get("/app/pgqj/assets/dashboard.js").statusCode());
        assertEquals(404, http.get("/app/pgqj/nope").statusCode());
        assertEquals(404, http.get("/app/pgqj/assets/Dashboard.class").statusCode(), "only the named assets are served");
        String cookie = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("pgqj_csrf=")).findFirst().orElse("");
        assertTrue(cookie.contains("Path=/app/pgqj"), cookie);
    }

    @Test
    void actionsAndEventsWorkUnderTheMount() throws InterruptedException {
        long id = rows.pythonEnqueue("mounted", "{}".getBytes(UTF_8), 0, null);
        Http http = Http.anonymous(root);
        BlockingQueue<String> events = http.events("/app/pgqj/events");
        String first = events.poll(10, TimeUnit.SECONDS);
        assertTrue(first != null && first.contains("\"mounted\""), String.valueOf(first));
        HttpResponse<String> page = http.get("/app/pgqj/jobs");
        HttpResponse<String> cancel = http.post("/app/pgqj/actions/cancel", "ids", Long.toString(id), "csrf", Http.csrf(page),
                "return", "jobs");
        assertEquals(303, cancel.statusCode());
        assertEquals("/app/pgqj/jobs?canceled=1&of=1", cancel.headers().firstValue("Location").orElse(""));
        assertEquals(0, rows.count("SELECT count(*) FROM pgqueuer"));
        // The DELETE notifies; a snapshot read before it (the enqueue's debounced NOTIFY, the periodic refresh)
        // may still be on its way, so take snapshots until the one after the cancel, within the same bound.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String next = null;
        while ((next == null || !next.contains("\"due\":0")) && System.nanoTime() < deadline) {
            next = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        assertTrue(next != null && next.contains("\"due\":0"), String.valueOf(next));
    }

    @Test
    void aBrowserGetsLiveUpdatesThroughTheMount() {
        Browser.assumeAvailable();
        try (Browser browser = Browser.start()) {
            var d = browser.driver();
            d.get(root + "/app/pgqj/");
            new WebDriverWait(d, Duration.ofSeconds(10)).until(x ->
                    Integer.parseInt(x.findElement(By.tagName("body")).getDomAttribute("data-live-events")) >= 1);
            UUID qm = UUID.randomUUID();
            long id = rows.pythonEnqueue("mounted_live", "{}".getBytes(UTF_8), 0, null);
            rows.pythonPick(qm, Duration.ZERO, id);
            new WebDriverWait(d, Duration.ofSeconds(15)).until(x -> "1".equals(x.findElement(By.id("n-picked")).getText()));
            browser.screenshot("mounted-overview");
        }
    }
}
