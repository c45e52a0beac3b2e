package org.pgqj.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.web.Pages.awaitFlash;
import static org.pgqj.web.Pages.awaitText;
import static org.pgqj.web.Pages.tableRows;
import static org.pgqj.web.Pages.text;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.SchedulerOptions;
import org.pgqj.schedule.Schedules;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * The dashboard for a bad day, in a real browser over a real database: live workers (a real Java worker, idle and
 * busy, beside a session that runs what a Python worker runs), the live throughput chart following a real worker,
 * failure triage (filters, groups, requeue and cancel all matching after confirming the count, two operators at
 * once), requeue and cancel on the jobs page with the question before a cancel, run now with a real scheduler, and
 * the tables page.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardTriageBrowserTest {

    static final QueueTables TABLES = QueueTables.defaults();
    static TestDatabase db;
    static Rows rows;
    static DashboardServer server;
    static Browser browser;

    @BeforeAll
    static void setUp(TestDatabase database) throws Exception {
        Browser.assumeAvailable();
        db = database;
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        rows = new Rows(db.dataSource());
        Dashboard dashboard = Dashboard.builder(db.dataSource(), TABLES).build();
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
    void liveWorkersOfBothLanguagesBusyOrIdle() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .entrypoint("w_slow", EntrypointOptions.defaults(), (job, ctx) -> release.await())
                .entrypoint("w_fast", EntrypointOptions.defaults(), (job, ctx) -> { })
                .build().start();
             Connection python = db.connect();
             PreparedStatement probe = python.prepareStatement("SELECT pg_notify(?, ?)")) {
            // what a pgqueuer worker's one connection runs every 10 s: its listener's health-check probe
            probe.setString(1, TABLES.channel());
            probe.setString(2, "{\"channel\": \"ch_pgqueuer\", \"type\": \"health_check_event\", \"sent_at\": "
                    + "\"2026-12-07T12:00:00Z\", \"received_at\": \"2026-12-07T12:00:00Z\", \"id\": \""
                    + java.util.UUID.randomUUID() + "\"}");
            probe.execute();
            ChromeDriver d = open("/workers");
            awaitRows(d, "workers", 2);
            List<String> workers = tableRows(d, "workers");
            assertTrue(workers.get(0).startsWith("Java " + worker.id()) && workers.get(0).endsWith(" 0 idle"), workers.toString());
            assertTrue(workers.get(1).startsWith("Python id not in the database") && workers.get(1).endsWith(" see below not in the database"),
                    workers.toString());
            open("");
            assertEquals("2", text(d, "n-workers"));

            long job = rows.javaEnqueue(TABLES, List.of(NewJob.of("w_slow", null))).get(0);
            Await.until("the worker runs the job", Duration.ofSeconds(20),
                    () -> rows.count("SELECT count(*) FROM pgqueuer WHERE id = ? AND status = 'picked'", job) == 1);
            open("/workers");
            assertTrue(tableRows(d, "workers").get(0).endsWith(" 1 w_slow"), tableRows(d, "workers").toString());
            assertEquals(List.of(), tableRows(d, "unattributed"), "its job is attributed to it");
            release.countDown();
        }
        ChromeDriver d = open("/workers");
        awaitRows(d, "workers", 0);
    }

    @Test
    @Order(2)
    void theThroughputChartFollowsARealWorkerLiveWithFailuresApart() throws Exception {
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .entrypoint("chart_ok", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("chart_bad", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new IllegalStateException("chart: fails on purpose");
                })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build())
                .build().start()) {
            ChromeDriver d = open("/charts");
            Pages.awaitEvents(d, "data-chart-events", 1);
            d.executeScript("window.__sameDocument = 7;");
            int before = Integer.parseInt(d.findElement(By.tagName("body")).getDomAttribute("data-chart-events"));
            rows.javaEnqueue(TABLES, IntStream.range(0, 20).mapToObj(i -> NewJob.of("chart_ok", null)).toList());
            rows.javaEnqueue(TABLES, IntStream.range(0, 3).mapToObj(i -> NewJob.of("chart_bad", null)).toList());
            new WebDriverWait(d, Duration.ofSeconds(30)).ignoring(WebDriverException.class).until(x ->
                    tableRows(d, "throughput-totals").containsAll(List.of("chart_bad 3 3", "chart_ok 20 0")));
            assertTrue(Integer.parseInt(d.findElement(By.tagName("body")).getDomAttribute("data-chart-events")) > before);
            assertEquals(7L, d.executeScript("return window.__sameDocument;"), "updated in place, not reloaded");
            assertEquals(List.of("chart_bad"), d.findElements(By.cssSelector("#chart-failures g.series")).stream()
                    .map(g -> g.getDomAttribute("data-entrypoint")).toList(), "the failures stand apart");
            assertTrue(d.findElements(By.cssSelector("#chart-finished g.series")).stream().map(g -> g.getDomAttribute(
                    "data-entrypoint")).toList().containsAll(List.of("chart_bad", "chart_ok")));
            // the durations of those jobs, from their log rows
            open("/charts?window=5m");
            List<String> durations = tableRows(d, "durations");
            assertTrue(durations.stream().anyMatch(r -> r.startsWith("chart_bad 3 "))
                    && durations.stream().anyMatch(r -> r.startsWith("chart_ok 20 ")), durations.toString());
            assertEquals(2 * durations.size(), d.findElements(By.cssSelector("#durations-chart g.range")).size(),
                    "handler duration and queue wait per entrypoint");
        }
    }

    @Test
    @Order(3)
    void failuresFilterGroupAndRequeueOrCancelAllMatchingAfterTheCount() {
        rows.sql("DELETE FROM pgqueuer");
        List<Long> mailTimeout = rows.pythonHeldFailures("tri_mail", "TimeoutError", 30, Duration.ofHours(2));
        List<Long> mailValue = rows.pythonHeldFailures("tri_mail", "ValueError", 12, Duration.ofMinutes(10));
        List<Long> smsTimeout = rows.pythonHeldFailures("tri_sms", "TimeoutError", 20, Duration.ofMinutes(10));
        ChromeDriver d = open("/failures");
        assertEquals("62", text(d, "held-total"));
        assertEquals(List.of("TimeoutError 50 tri_mail 30 tri_sms 20", "ValueError 12 tri_mail 12"),
                groups(d));
        open("/failures?entrypoint=tri_mail");
        assertEquals("42", text(d, "matching"));
        assertEquals(List.of("TimeoutError 30 tri_mail 30", "ValueError 12 tri_mail 12"), groups(d));
        d.findElement(By.linkText("TimeoutError")).click();
        awaitText(d, "matching", "30");
        assertTrue(d.getCurrentUrl().contains("entrypoint=tri_mail") && d.getCurrentUrl().contains("exception=TimeoutError"));
        open("/failures?entrypoint=tri_mail&exception=TimeoutError&within=1h");
        assertEquals("0", text(d, "matching"), "held two hours ago");
        open("/failures?entrypoint=tri_mail&exception=TimeoutError&age=1h");
        assertEquals("30", text(d, "matching"));
        assertEquals(30, tableRows(d, "held").size());

        d.findElement(By.id("requeue-all")).click();
        awaitText(d, "confirm-count", "30");
        assertTrue(text(d, "confirm-what").contains("entrypoint tri_mail, exception TimeoutError, held more than 1h ago"),
                text(d, "confirm-what"));
        d.findElement(By.id("confirm")).click();
        awaitFlash(d, "Requeued 30 of 30 jobs.");
        assertEquals(30, rows.count("SELECT count(*) FROM pgqueuer WHERE status = 'queued' AND attempts = 0 AND id = ANY(?)",
                (Object) longs(mailTimeout)));
        assertEquals("0", text(d, "matching"), "back on the same filter, nothing matches any more");

        open("/failures?entrypoint=tri_sms");
        d.findElement(By.id("cancel-all")).click();
        awaitText(d, "confirm-count", "20");
        d.findElement(By.id("confirm")).click();
        awaitFlash(d, "Canceled 20 of 20 jobs.");
        assertEquals(0, rows.count("SELECT count(*) FROM pgqueuer WHERE id = ANY(?)", (Object) longs(smsTimeout)));
        assertEquals(20, rows.count("SELECT count(*) FROM pgqueuer_log WHERE status = 'canceled' AND job_id = ANY(?)",
                (Object) longs(smsTimeout)));
        open("/failures");
        assertEquals("12", text(d, "held-total"));
        assertEquals(List.of("ValueError 12 tri_mail 12"), groups(d));
        assertEquals(12, rows.count("SELECT count(*) FROM pgqueuer WHERE status = 'failed' AND id = ANY(?)",
                (Object) longs(mailValue)));
        browser.screenshot("failures-after-triage");
    }

    @Test
    @Order(4)
    void twoOperatorsConfirmingTheSameBulkRequeueSplitTheJobsAndCsrfHolds() throws Exception {
        rows.sql("DELETE FROM pgqueuer");
        List<Long> held = rows.pythonHeldFailures("race_ep", "TimeoutError", 1500, Duration.ofMinutes(1));
        String root = "http://127.0.0.1:" + server.port();
        List<Http> operators = List.of(Http.anonymous(root), Http.anonymous(root));
        List<String[]> forms = new ArrayList<>();
        for (Http op : operators) {
            HttpResponse<String> confirm = op.get("/failures/confirm?action=requeue&entrypoint=race_ep");
            assertEquals(200, confirm.statusCode());
            forms.add(new String[] {"entrypoint", "race_ep", "asof", field(confirm, "asof"),
                    "expected", field(confirm, "expected"), "csrf", Http.csrf(confirm)});
            assertEquals("1500", field(confirm, "expected"));
        }
        HttpResponse<String> noToken = operators.get(0).post("/actions/failures/requeue", "entrypoint", "race_ep",
                "asof", forms.get(0)[3], "expected", "1500");
        assertEquals(403, noToken.statusCode());
        HttpResponse<String> noCount = operators.get(0).post("/actions/failures/requeue", "entrypoint", "race_ep",
                "csrf", forms.get(0)[7]);
        assertEquals(400, noCount.statusCode(), "a bulk action without the confirmed count is refused");
        assertEquals(1500, rows.count("SELECT count(*) FROM pgqueuer WHERE status = 'failed'"), "nothing changed");

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Http op = operators.get(i);
            String[] form = forms.get(i);
            posts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return op.post("/actions/failures/requeue", form);
            }));
        }
        go.countDown();
        long total = 0;
        Pattern requeued = Pattern.compile("requeued=(\\d+)&of=1500");
        for (var post : posts) {
            HttpResponse<String> r = post.get(60, TimeUnit.SECONDS);
            assertEquals(303, r.statusCode(), r.body());
            Matcher m = requeued.matcher(r.headers().firstValue("Location").orElse(""));
            assertTrue(m.find(), r.headers().toString());
            total += Long.parseLong(m.group(1));
        }
        assertEquals(held.size(), total, "between them, each job once");
        assertEquals(0, rows.count("SELECT count(*) FROM (SELECT job_id FROM pgqueuer_log WHERE status = 'queued' "
                + "AND job_id = ANY(?) GROUP BY job_id HAVING count(*) <> 2) x", (Object) longs(held)),
                "every job has its enqueue row and exactly one requeue row");
    }

    @Test
    @Order(5)
    void jobsPageRequeuesHeldJobsAndAsksBeforeCancelling() {
        rows.sql("DELETE FROM pgqueuer");
        List<Long> held = rows.pythonHeldFailures("jobs_ep", "KeyError", 2, Duration.ofMinutes(1));
        long queued = rows.pythonEnqueue("jobs_ep", "{}".getBytes(UTF_8), 0, null);
        ChromeDriver d = open("/jobs?entrypoint=jobs_ep");
        d.findElement(By.cssSelector("#jobs input[data-select-all]")).click();
        d.findElement(By.id("requeue-selected")).click();
        awaitFlash(d, "Requeued 2 of 3 jobs.");
        assertEquals(3, rows.count("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'jobs_ep' AND status = 'queued'"));
        d.findElement(By.cssSelector("#jobs input[data-select-all]")).click();
        d.findElement(By.id("cancel-selected")).click();
        assertTrue(d.switchTo().alert().getText().startsWith("Cancel these 3 jobs?"));
        d.switchTo().alert().dismiss();
        assertEquals(3, rows.count("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'jobs_ep'"), "dismissed: nothing canceled");
        d.findElement(By.id("cancel-selected")).click();
        d.switchTo().alert().accept();
        awaitFlash(d, "Canceled 3 of 3 jobs.");
        assertEquals(0, rows.count("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'jobs_ep'"));
        assertEquals(List.of(held.get(0), held.get(1), queued), rows.strings("SELECT job_id FROM pgqueuer_log WHERE "
                + "status = 'canceled' AND entrypoint = 'jobs_ep' ORDER BY job_id").stream().map(Long::valueOf).toList());
    }

    @Test
    @Order(6)
    void runNowRunsAYearlyScheduleAtTheSchedulersNextPoll() throws Exception {
        List<Instant> runs = new CopyOnWriteArrayList<>();
        try (Scheduler scheduler = Scheduler.builder(db.dataSource(), TABLES)
                .schedule("0 0 1 1 *", "new_year_report", ctx -> runs.add(ctx.scheduledAt()))
                .options(SchedulerOptions.builder().maxPollInterval(Duration.ofSeconds(1)).build())
                .build()) {
            scheduler.start();
            long id = Schedules.list(TABLES, db.dataSource()).get(0).id();
            ChromeDriver d = open("/schedules");
            d.findElement(By.cssSelector("button.run-now[data-id='" + id + "']")).click();
            awaitFlash(d, "Schedule " + id + " is due now: the next poll of a scheduler that registered it runs it once, "
                    + "then it keeps its regular times.");
            Await.until("the scheduler ran it", Duration.ofSeconds(15), () -> runs.size() == 1);
            Await.until("the row is released with its last run", Duration.ofSeconds(10),
                    () -> Schedules.list(TABLES, db.dataSource()).get(0).lastRun().isPresent());
            assertTrue(Schedules.list(TABLES, db.dataSource()).get(0).nextRun().isAfter(Instant.now().plus(Duration.ofDays(1))),
                    "back to its yearly time");
            Await.holds("once", Duration.ofSeconds(2), () -> runs.size() == 1);
        }
    }

    @Test
    @Order(7)
    void tablesPageShowsUpkeepAndHintsAtALogWithoutRetention() {
        ChromeDriver d = open("/tables");
        assertEquals(4, tableRows(d, "tables").size());
        assertTrue(d.findElements(By.id("retention-hint")).isEmpty(), "a young log needs no hint");
        rows.sql("INSERT INTO pgqueuer_log (created, job_id, status, entrypoint, priority) "
                + "VALUES (now() - interval '9 days', 1, 'successful', 'old', 0)");
        open("/tables");
        assertTrue(text(d, "retention-hint").contains("The log table grows without retention"), text(d, "retention-hint"));
        assertTrue(text(d, "log-facts").startsWith("Oldest log row: 9 d"), text(d, "log-facts"));
        assertTrue(text(d, "notify-usage").contains("% of the server's notification queue is in use"));
    }

    private static long[] longs(List<Long> ids) {
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static String field(HttpResponse<String> page, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(page.body());
        assertTrue(m.find(), "no field " + name + " on the page:\n" + page.body());
        return m.group(1);
    }

    /** Exception type, count and per-entrypoint counts of each group (the last cell, how long ago, ticks). */
    private static List<String> groups(ChromeDriver d) {
        return Pages.firstCells(d, "groups", 3);
    }

    private static ChromeDriver open(String path) {
        ChromeDriver d = browser.driver();
        d.get("http://127.0.0.1:" + server.port() + path);
        return d;
    }

    private static void awaitRows(ChromeDriver d, String id, int n) {
        new WebDriverWait(d, Duration.ofSeconds(15)).ignoring(WebDriverException.class)
                .withMessage(() -> id + " has not " + n + " rows: " + tableRows(d, id))
                .until(x -> {
                    if (tableRows(d, id).size() == n) {
                        return true;
                    }
                    d.navigate().refresh();
                    return false;
                });
    }

}
