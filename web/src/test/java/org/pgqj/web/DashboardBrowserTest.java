package org.pgqj.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.web.Pages.awaitFlash;
import static org.pgqj.web.Pages.firstCells;
import static org.pgqj.web.Pages.tableRows;
import static org.pgqj.web.Pages.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * The dashboard in a real browser (headless Chromium) over a real database holding rows written the way Python
 * pgqueuer writes them and rows written by this library and a real Java worker. Each page's numbers are checked
 * against what was written; actions are clicked and their effect read back from the database.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    static final String XSS_ENTRYPOINT = "<script>window.__pwned=1</script>";
    static final UUID QM_A = UUID.fromString("aaaaaaaa-0000-4000-8000-000000000001");
    static final UUID QM_B = UUID.fromString("bbbbbbbb-0000-4000-8000-000000000002");

    static Rows rows;
    static Dashboard dashboard;
    static DashboardServer server;
    static Browser browser;
    static long emailWithHeaders;
    static long binaryJob;
    static long laterJob;
    static long xssJob;
    static List<Long> pyFailed;
    static List<Long> javaFailed;

    @BeforeAll
    static void setUp(TestDatabase db) throws Exception {
        Browser.assumeAvailable();
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        QueueTables tables = QueueTables.defaults();
        rows = new Rows(db.dataSource());
        // Python-shaped rows
        emailWithHeaders = rows.pythonEnqueue("py_email", "{\"to\": \"a@example.com\", \"n\": 0}".getBytes(UTF_8), 0,
                "{\"otel\": {\"traceparent\": \"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}}");
        for (int i = 1; i < 3; i++) {
            rows.pythonEnqueue("py_email", ("{\"to\": \"a@example.com\", \"n\": " + i + "}").getBytes(UTF_8), 0, null);
        }
        binaryJob = rows.pythonEnqueue("py_binary", new byte[] {0, (byte) 0xff, 0x10, 'a', 'b', 'c'}, 3, null);
        laterJob = rows.pythonEnqueue("py_later", "{}".getBytes(UTF_8), 0, null, Duration.ofHours(2));
        long w1 = rows.pythonEnqueue("py_work", "{}".getBytes(UTF_8), 0, null);
        long w2 = rows.pythonEnqueue("py_work", "{}".getBytes(UTF_8), 0, null);
        long w3 = rows.pythonEnqueue("py_work", "{}".getBytes(UTF_8), 0, null);
        rows.pythonPick(QM_A, Duration.ZERO, w1, w2);
        rows.pythonPick(QM_B, Duration.ofMinutes(10), w3);
        long f1 = rows.pythonEnqueue("py_fail", "{\"order\": 1}".getBytes(UTF_8), 0, null);
        long f2 = rows.pythonEnqueue("py_fail", "{\"order\": 2}".getBytes(UTF_8), 0, null);
        rows.pythonPick(QM_A, Duration.ZERO, f1, f2);
        rows.pythonHoldFailed(f1, QM_A, "ValueError", "bad input");
        rows.pythonHoldFailed(f2, QM_A, "KeyError", "<img src=x onerror=window.__pwned=3>");
        pyFailed = List.of(f1, f2);
        xssJob = rows.pythonEnqueue(XSS_ENTRYPOINT, "{\"html\": \"<script>window.__pwned=2</script>\"}".getBytes(UTF_8), 0, null);
        rows.pythonStatistics("py_email", "successful", 30, 5);
        rows.pythonStatistics("py_work", "exception", 4, 10);
        rows.pythonSchedule("* * * * *", "py_cron", Duration.ofSeconds(50), true);
        rows.pythonSchedule("0 0 * * *", "py_nightly", Duration.ofHours(2), false);
        rows.pythonSchedule("*/5 * * * *", "py_overdue", Duration.ofMinutes(-5), true);
        // Java-written rows
        rows.javaEnqueue(tables, IntStream.range(0, 4).mapToObj(i -> NewJob.builder("java_report")
                .payload(("{\"report\": " + i + "}").getBytes(UTF_8)).priority(i).header("tenant", "acme").build()).toList());
        javaFailed = rows.javaEnqueue(tables, List.of(NewJob.of("java_fail", "{\"x\": 1}".getBytes(UTF_8)),
                NewJob.of("java_fail", "{\"x\": 2}".getBytes(UTF_8))));
        rows.javaWorkerHoldsFailures(tables, "java_fail");
        rows.javaAggregate(tables);

        dashboard = Dashboard.builder(db.dataSource(), tables).pageSize(5)
                .staleAfter(Duration.ofMinutes(2)).build(); // QM_A stays fresh however slow this machine is
        server = DashboardServer.start(dashboard, "127.0.0.1", 0);
        assertTrue(dashboard.awaitListening(Duration.ofSeconds(10)));
        browser = Browser.start();
    }

    @AfterAll
    static void tearDown() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void overviewShowsSizesWorkersStaleAndThroughput() {
        ChromeDriver d = open("");
        awaitLive(d, 1);
        // due: 3 py_email + 1 py_binary + 1 xss + 4 java_report; later: py_later (in 2 h); 3 py_work picked;
        // 2 py_fail + 2 java_fail held
        assertEquals("9", text(d, "n-due"));
        assertEquals("1", text(d, "n-later"));
        assertEquals("3", text(d, "n-picked"));
        assertEquals("4", text(d, "n-failed"));
        assertEquals("0", text(d, "n-workers"), "no worker is connected: the picked jobs' queue managers are not live workers");
        assertEquals("1", text(d, "n-stale"));
        assertTrue(text(d, "n-oldest-due").matches("\\d+ (s|min.*)"), text(d, "n-oldest-due"));
        assertEquals(List.of(XSS_ENTRYPOINT + " 1 0 0 0 1", "java_fail 0 0 0 2 2", "java_report 4 0 0 0 4",
                "py_binary 1 0 0 0 1", "py_email 3 0 0 0 3", "py_fail 0 0 0 2 2", "py_later 0 1 0 0 1", "py_work 0 0 3 0 3"),
                firstCells(d, "sizes-body", 6), "entrypoint due later picked failed total (the last cell, the longest due wait, ticks)");
        assertTrue(tableRows(d, "sizes-body").get(6).endsWith(" –"), "nothing of py_later is due, so no wait");
        // the chart: python's statistics rows (30 successful, 4 exceptions) plus the log aggregated by Java's
        // StatisticsAggregation (the 2 python and 2 java held failures); failures are a series of their own
        assertEquals("38", text(d, "throughput-total"));
        assertEquals("8", text(d, "throughput-failures"));
        assertEquals(List.of("9", "1", "3", "4"), List.of(text(d, "live-due"), text(d, "live-later"), text(d, "live-picked"),
                text(d, "live-failed")));
        assertEquals(List.of("java_fail", "py_email", "py_fail", "py_work"), d.findElements(By.cssSelector("#chart-finished g.series"))
                .stream().map(g -> g.getDomAttribute("data-entrypoint")).toList());
        assertEquals(List.of("java_fail", "py_fail", "py_work"), d.findElements(By.cssSelector("#chart-failures g.series"))
                .stream().map(g -> g.getDomAttribute("data-entrypoint")).toList());
        // recent failures: the four held jobs' tracebacks (python ValueError/KeyError, java IllegalStateException)
        String failures = text(d, "recent-failures");
        assertTrue(failures.contains("ValueError: bad input"), failures);
        assertTrue(failures.contains("IllegalStateException: java says no to job"), failures);
        browser.screenshot("overview");
    }

    @Test
    @Order(2)
    void jobsPageFiltersAndKeysetPagesThroughEveryRowOnce() {
        ChromeDriver d = open("/jobs");
        List<Long> seen = new ArrayList<>();
        List<Long> firstPage = ids(d);
        assertEquals(5, firstPage.size());
        browser.screenshot("jobs");
        while (true) {
            List<Long> page = ids(d);
            seen.addAll(page);
            List<WebElement> older = d.findElements(By.id("older"));
            if (older.isEmpty()) {
                break;
            }
            older.get(0).click();
        }
        List<Long> all = rows.strings("SELECT id FROM pgqueuer ORDER BY id DESC").stream().map(Long::valueOf).toList();
        assertEquals(all, seen, "keyset paging shows every queue row once, newest first");
        d.findElement(By.id("newer")).click();
        assertEquals(all.subList(10, 15), ids(d), "newer goes back one page");

        open("/jobs?entrypoint=java_report");
        assertEquals(rows.strings("SELECT id FROM pgqueuer WHERE entrypoint = 'java_report' ORDER BY id DESC")
                .stream().map(Long::valueOf).toList(), ids(d));
        open("/jobs?status=picked");
        assertEquals(3, ids(d).size());
        open("/jobs?status=queued&priority=3");
        assertEquals(rows.strings("SELECT id FROM pgqueuer WHERE priority = 3 ORDER BY id DESC").stream().map(Long::valueOf)
                .toList(), ids(d)); // py_binary and the last java_report
        assertTrue(ids(d).contains(binaryJob));
        open("/jobs?age=1d");
        assertEquals(List.of(), ids(d), "nothing is a day old");
        open("/jobs?age=1s&entrypoint=py_email");
        // created at least a second before now (the setup took longer than that)
        assertEquals(3, ids(d).size());
        open("/jobs?age=5x");
        assertTrue(text(d, "filter-error").contains("age must be a number and a unit"), text(d, "filter-error"));
        open("/jobs?status=scheduled");
        assertEquals(List.of(laterJob), ids(d));
        assertTrue(text(d, "jobs").contains("queued later"), "a job not due yet is marked");
        open("/jobs?status=due&entrypoint=py_later");
        assertEquals(List.of(), ids(d));
        open("/jobs?status=successful");
        assertTrue(text(d, "filter-error").contains("status must be one of [queued, due, scheduled, picked, failed]"));
    }

    @Test
    @Order(3)
    void jobDetailShowsPrettyJsonHexHeadersAndHistoryWithTraceback() {
        ChromeDriver d = open("/jobs/" + emailWithHeaders);
        assertEquals("py_email", text(d, "entrypoint"));
        assertEquals("{\n  \"to\" : \"a@example.com\",\n  \"n\" : 0\n}", text(d, "payload"));
        assertTrue(text(d, "headers").contains("\"traceparent\" : \"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\""));
        assertEquals(List.of("queued"), column(d, "history", 1));
        browser.screenshot("job");

        open("/jobs/" + binaryJob);
        assertTrue(text(d, "payload").startsWith("00000000  00 ff 10 61 62 63"), text(d, "payload"));
        assertTrue(text(d, "payload").endsWith("|...abc|"), text(d, "payload"));
        assertEquals("None.", text(d, "headers-none"), "pgqueuer's JSON null headers are no headers");

        open("/jobs/" + pyFailed.get(0));
        assertEquals("failed", text(d, "status"));
        assertEquals(List.of("queued", "picked", "failed"), column(d, "history", 1));
        d.findElement(By.cssSelector("#history details summary")).click();
        String history = text(d, "history");
        assertTrue(history.contains("ValueError: bad input"), history);
        assertTrue(history.contains("File \"/app/tasks.py\", line 12, in run"), history);
        browser.screenshot("job-failed");

        open("/jobs/" + javaFailed.get(0));
        assertEquals(List.of("queued", "picked", "failed"), column(d, "history", 1));
        assertTrue(text(d, "history").contains("IllegalStateException: java says no to job " + javaFailed.get(0)));
        assertEquals("0", text(d, "attempts"));
        assertEquals("1", text(d, "failures"), "the hold, counted from the log");
    }

    @Test
    @Order(4)
    void workersPageListsQueueManagersAndStalePickedJobs() {
        ChromeDriver d = open("/workers");
        assertEquals(List.of(), tableRows(d, "workers"), "no worker is connected");
        List<String> held = tableRows(d, "unattributed");
        assertEquals(2, held.size());
        assertTrue(held.get(0).startsWith(QM_A + " 2 ") && !held.get(0).contains("stale"), held.toString());
        assertTrue(held.get(1).startsWith(QM_B + " 1 ") && held.get(1).contains("stale"), held.toString());
        assertEquals(1, tableRows(d, "stale").size());
        assertTrue(tableRows(d, "stale").get(0).contains(QM_B.toString()));
    }

    @Test
    @Order(5)
    void schedulesPageShowsNextAndLastRunAndOverdue() {
        ChromeDriver d = open("/schedules");
        List<String> schedules = tableRows(d, "schedules");
        assertEquals(3, schedules.size(), schedules.toString());
        assertTrue(schedules.get(0).startsWith("py_overdue */5 * * * * queued") && schedules.get(0).contains("overdue"));
        assertTrue(schedules.get(1).startsWith("py_cron * * * * * queued") && !schedules.get(1).contains("never"));
        assertTrue(schedules.get(2).startsWith("py_nightly 0 0 * * * queued") && schedules.get(2).contains("never"));
        browser.screenshot("schedules");
    }

    @Test
    @Order(6)
    void scriptInEntrypointPayloadOrTracebackStaysText() {
        ChromeDriver d = open("");
        assertTrue(tableRows(d, "sizes-body").get(0).startsWith(XSS_ENTRYPOINT));
        assertNull(d.executeScript("return window.__pwned;"));
        open("/jobs/" + xssJob);
        assertEquals(XSS_ENTRYPOINT, text(d, "entrypoint"));
        assertTrue(text(d, "payload").contains("<script>window.__pwned=2</script>"));
        open("/failures");
        assertTrue(text(d, "held").contains("<img src=x onerror=window.__pwned=3>"));
        assertNull(d.executeScript("return window.__pwned;"));
        assertTrue(d.findElements(By.cssSelector("main script, main img")).isEmpty(), "no element came from a value");
        // the live table is rebuilt from the pushed JSON as text too
        open("");
        awaitLive(d, 1);
        rows.pythonEnqueue(XSS_ENTRYPOINT, "{}".getBytes(UTF_8), 0, null);
        new WebDriverWait(d, Duration.ofSeconds(10)).until(x -> tableRows(d, "sizes-body").get(0).startsWith(XSS_ENTRYPOINT + " 2 0 0 0 2 "));
        assertNull(d.executeScript("return window.__pwned;"));
    }

    @Test
    @Order(7)
    void notifyUpdatesAnOpenPageWithoutReload() {
        ChromeDriver d = open("");
        int before = awaitLive(d, 1);
        d.executeScript("window.__sameDocument = 42;");
        long dueBefore = Long.parseLong(text(d, "n-due"));
        rows.pythonEnqueue("live_new", "{}".getBytes(UTF_8), 0, null); // the trigger NOTIFYs at commit
        new WebDriverWait(d, Duration.ofSeconds(10)).until(x -> tableRows(d, "sizes-body").stream()
                .anyMatch(r -> r.startsWith("live_new 1 0 0 0 1 ")));
        assertEquals(String.valueOf(dueBefore + 1), text(d, "n-due"));
        assertEquals(String.valueOf(dueBefore + 1), text(d, "live-due"));
        assertEquals(42L, d.executeScript("return window.__sameDocument;"), "the page was updated in place, not reloaded");
        assertTrue(Integer.parseInt(d.findElement(By.tagName("body")).getDomAttribute("data-live-events")) > before);
    }

    @Test
    @Order(8)
    void failuresPageRequeuesAndCancelsOneOrMany() {
        ChromeDriver d = open("/failures");
        assertEquals(4, tableRows(d, "held").size());
        browser.screenshot("failures");
        for (long id : pyFailed) {
            d.findElement(By.cssSelector("#held input[name=ids][value='" + id + "']")).click();
        }
        d.findElement(By.id("requeue-selected")).click();
        awaitFlash(d, "Requeued 2 of 2 jobs.");
        assertEquals(List.of("queued", "queued"), rows.strings(
                "SELECT status::text FROM pgqueuer WHERE id = ANY(?) AND attempts = 0", (Object) pyFailed.stream().mapToLong(Long::longValue).toArray()));
        assertEquals(2, tableRows(d, "held").size());

        d.findElement(By.cssSelector("#held input[name=ids][value='" + javaFailed.get(0) + "']")).click();
        d.findElement(By.id("cancel-selected")).click();
        assertEquals("Cancel this job? A queued or held job is deleted and logged canceled; a running one is stopped by "
                + "its worker. This cannot be undone.", d.switchTo().alert().getText());
        d.switchTo().alert().dismiss();
        assertEquals(1, rows.count("SELECT count(*) FROM pgqueuer WHERE id = ?", javaFailed.get(0)), "dismissed: kept");
        d.findElement(By.id("cancel-selected")).click();
        d.switchTo().alert().accept();
        awaitFlash(d, "Canceled 1 of 1 job.");
        assertEquals(0, rows.count("SELECT count(*) FROM pgqueuer WHERE id = ?", javaFailed.get(0)));
        assertEquals(List.of("canceled"), rows.strings(
                "SELECT status::text FROM pgqueuer_log WHERE job_id = ? ORDER BY id DESC LIMIT 1", javaFailed.get(0)));

        // select-all then cancel the rest from the job page's single-job button
        open("/jobs/" + javaFailed.get(1));
        d.findElement(By.id("requeue")).click();
        awaitFlash(d, "Requeued 1 of 1 job.");
        assertEquals("queued", text(d, "status"));
        d.findElement(By.id("cancel")).click();
        d.switchTo().alert().accept();
        awaitFlash(d, "Canceled 1 of 1 job.");
        assertEquals(0, rows.count("SELECT count(*) FROM pgqueuer WHERE id = ?", javaFailed.get(1)));
        open("/failures");
        assertEquals("No held jobs match.", text(d, "no-held"));
    }

    private static ChromeDriver open(String path) {
        ChromeDriver d = browser.driver();
        d.get("http://127.0.0.1:" + server.port() + path);
        return d;
    }

    /** Waits until the page has received at least {@code n} pushed snapshots; returns how many. */
    private static int awaitLive(ChromeDriver d, int n) {
        return Pages.awaitEvents(d, "data-live-events", n);
    }

    @SuppressWarnings("unchecked")
    private static List<String> column(ChromeDriver d, String id, int index) {
        return (List<String>) d.executeScript("""
                return Array.from(document.getElementById(arguments[0]).tBodies[0].rows)
                  .map(r => r.cells[arguments[1]].innerText.trim());""", id, index);
    }

    private static List<Long> ids(ChromeDriver d) {
        Set<Long> unique = new HashSet<>();
        List<Long> ids = d.findElements(By.cssSelector("#jobs tbody tr:not(.empty) td.num a")).stream()
                .map(a -> Long.valueOf(a.getText().trim())).toList();
        ids.forEach(unique::add);
        assertEquals(unique.size(), ids.size());
        return ids;
    }
}
