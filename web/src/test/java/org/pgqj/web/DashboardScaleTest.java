package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * A measurement, not a speed test (targets belong to the benchmark): every page of the dashboard over a bad day's
 * database, 1,000,000 log rows (a day of five entrypoints, pgqueuer_statistics filled as workers fill it) and
 * 50,000 held failures of six exception types, with jobs due, scheduled and running and a live Java worker. Each
 * URL is requested 20 times after 3 warm-ups from a dashboard on a connection pool (as an application mounts it)
 * and from one that opens a connection per page (as {@code pgqj web} does today); the median and worst of the
 * server's own time (its {@code Server-Timing} header: connection, reads, rendering) and of the pooled HTTP round
 * trip are printed. Then each page is opened in Chromium and saved as a screenshot. It checks that the pages are
 * right (counts, groups, a full list), nothing about speed. Run with {@code -Dpgqj.web.scale=true}.
 */
@QueueTest
@EnabledIfSystemProperty(named = "pgqj.web.scale", matches = "true")
class DashboardScaleTest {

    static final List<String> ENTRYPOINTS = List.of("send_email", "resize_image", "sync_crm", "charge_card", "py_report");
    static final List<String> EXCEPTIONS = List.of("TimeoutError", "ConnectionRefusedError", "ValueError",
            "java.net.SocketTimeoutException", "KeyError", "java.lang.IllegalStateException");
    /** Queue managers of Python workers holding picked jobs; the first two stay alive during the test. */
    static final List<UUID> PYTHON_QUEUE_MANAGERS = List.of(UUID.fromString("0a7e5b1c-5e2d-4c6a-9f10-2b3c4d5e6f70"),
            UUID.fromString("1b8f6c2d-6f3e-4d7b-8a21-3c4d5e6f7081"), UUID.fromString("2c907d3e-7a4f-4e8c-9b32-4d5e6f708192"));
    private static final Pattern SERVER_TIMING = Pattern.compile("app;dur=([0-9.]+)");

    @Test
    void everyPageAtAMillionLogRowsAndFiftyThousandHeldFailures(TestDatabase db) throws Exception {
        Rows rows = new Rows(db.dataSource());
        long started = System.nanoTime();
        badDay(rows);
        System.out.printf("scale data written in %d s%n", (System.nanoTime() - started) / 1_000_000_000);
        assertEquals(50_000, rows.count("SELECT count(*) FROM pgqueuer WHERE status = 'failed'"));
        assertTrue(rows.count("SELECT count(*) FROM pgqueuer_log") >= 1_000_000);
        long heldJob = rows.count("SELECT max(id) FROM pgqueuer WHERE status = 'failed'");

        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("java_idle", EntrypointOptions.defaults(), (job, ctx) -> { }).build().start();
             Connection python = db.connect();
             PreparedStatement probe = python.prepareStatement("SELECT pg_notify(?, ?)");
             ScheduledExecutorService alive = Executors.newSingleThreadScheduledExecutor();
             SmallPool pool = new SmallPool(db.jdbcUrl(), db.user(), db.password());
             DashboardServer unpooled = DashboardServer.start(Dashboard.builder(db.dataSource(), QueueTables.defaults())
                     .build(), "127.0.0.1", 0);
             DashboardServer server = DashboardServer.start(Dashboard.builder(pool, QueueTables.defaults()).build(),
                     "127.0.0.1", 0)) {
            // a Python fleet that stays alive: one idle worker's connection runs its listener's health-check probe, two
            // busy ones beat their jobs' heartbeats (a pgqueuer session sets no application name)
            python.setClientInfo("ApplicationName", "");
            probe.setString(1, "ch_pgqueuer");
            alive.scheduleWithFixedDelay(() -> {
                try {
                    probe.setString(2, "{\"channel\": \"ch_pgqueuer\", \"type\": \"health_check_event\", \"sent_at\": "
                            + "\"2026-12-07T12:00:00Z\", \"received_at\": \"2026-12-07T12:00:00Z\", \"id\": \""
                            + UUID.randomUUID() + "\"}");
                    probe.execute();
                    rows.sql("UPDATE pgqueuer SET heartbeat = now() WHERE queue_manager_id IN ('"
                            + PYTHON_QUEUE_MANAGERS.get(0) + "', '" + PYTHON_QUEUE_MANAGERS.get(1) + "')");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 5, TimeUnit.SECONDS);
            Http http = Http.anonymous("http://127.0.0.1:" + server.port());
            Http fresh = Http.anonymous("http://127.0.0.1:" + unpooled.port());
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("overview", "/");
            pages.put("jobs", "/jobs");
            pages.put("jobs-held", "/jobs?status=failed");
            pages.put("job", "/jobs/" + heldJob);
            pages.put("failures", "/failures");
            pages.put("failures-filtered", "/failures?entrypoint=charge_card&exception=TimeoutError&within=3h");
            pages.put("confirm", "/failures/confirm?action=requeue&exception=ValueError");
            pages.put("workers", "/workers");
            pages.put("charts", "/charts");
            pages.put("charts-1d", "/charts?window=1d");
            pages.put("tables", "/tables");
            pages.put("schedules", "/schedules");
            StringBuilder report = new StringBuilder(String.format(
                    "dashboard pages at 1,000,000 log rows and 50,000 held failures, median / max of 20, ms%n"
                            + "  %-18s %-66s %15s %15s %15s%n", "page", "url", "server, pooled", "round trip", "server, unpooled"));
            for (var e : pages.entrySet()) {
                List<Double> pooled = new ArrayList<>();
                List<Double> total = new ArrayList<>();
                List<Double> opened = new ArrayList<>();
                HttpResponse<String> last = null;
                for (int i = 0; i < 23; i++) {
                    long t = System.nanoTime();
                    last = http.get(e.getValue());
                    double ms = (System.nanoTime() - t) / 1e6;
                    double other = serverTime(fresh.get(e.getValue()));
                    if (i >= 3) {
                        pooled.add(serverTime(last));
                        total.add(ms);
                        opened.add(other);
                    }
                }
                assertEquals(200, last.statusCode(), e.getValue() + ": " + last.body());
                check(e.getKey(), last.body());
                report.append(String.format("  %-18s %-66s %15s %15s %15s%n", e.getKey(), e.getValue(), medianMax(pooled),
                        medianMax(total), medianMax(opened)));
            }
            System.out.println(report);

            try (Browser browser = Browser.start()) {
                ChromeDriver d = browser.driver();
                for (var e : pages.entrySet()) {
                    if (e.getKey().equals("charts-1d") || e.getKey().equals("jobs-held")) {
                        continue;
                    }
                    d.get("http://127.0.0.1:" + server.port() + e.getValue());
                    new WebDriverWait(d, Duration.ofSeconds(20)).until(x -> Integer.parseInt(
                            x.findElement(By.tagName("body")).getDomAttribute("data-live-events")) >= 1);
                    browser.fullPageScreenshot(e.getKey());
                }
            }
        }
    }

    private static double serverTime(HttpResponse<String> r) {
        Matcher m = SERVER_TIMING.matcher(r.headers().firstValue("Server-Timing").orElse(""));
        assertTrue(m.find(), r.uri() + " has no Server-Timing header");
        return Double.parseDouble(m.group(1));
    }

    private static String medianMax(List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(null);
        return String.format("%5.0f / %5.0f", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    /** The pages show the numbers the data has. */
    private static void check(String page, String body) {
        switch (page) {
            case "failures" -> {
                assertTrue(body.contains("<b id=\"held-total\">50000</b>"), "50,000 held");
                for (String type : EXCEPTIONS) {
                    assertTrue(body.contains("<code>" + type + "</code></a>"), type + " grouped");
                }
                assertEquals(DashboardQueries.FAILURES_PAGE, Pattern.compile("name=\"ids\"").matcher(body).results().count());
            }
            case "workers" -> assertTrue(body.contains("data-language=\"JAVA\"") && body.contains("data-language=\"PYTHON\""),
                    "the live Java worker and the Python-like session");
            case "tables" -> assertTrue(body.contains("id=\"retention-hint\""), "a million log rows and no retention");
            case "charts" -> assertTrue(body.contains("id=\"durations-chart\""));
            default -> { }
        }
    }

    /**
     * A bad day, written as pgqueuer's statements leave it: for each of five entrypoints a day of finished jobs
     * (queued, picked, finished; 2% exceptions with a traceback), 50,000 jobs held over the last six hours, 2,000 jobs
     * due, 3,000 scheduled for later, 198 running under three queue managers, five schedules; the log folded into
     * pgqueuer_statistics except its last two minutes.
     */
    static void badDay(Rows rows) {
        rows.sql("""
                INSERT INTO pgqueuer_log (created, job_id, status, priority, entrypoint, traceback)
                SELECT v.t, j.n, v.s::pgqueuer_status, 0, j.ep, v.tb
                FROM (SELECT n, (ARRAY['send_email','resize_image','sync_crm','charge_card','py_report'])[1 + n % 5] AS ep,
                             now() - interval '24 hours' * (1 - n::float8 / 283334) AS t0,
                             interval '1 millisecond' * (5 + (hashint4(n) & 1023)) AS wait,
                             interval '1 millisecond' * (20 + (hashint4(n * 7) & 4095) * (1 + n % 5)) AS run
                      FROM generate_series(1, 283334) n) j
                CROSS JOIN LATERAL (VALUES
                  (j.t0, 'queued', NULL::jsonb),
                  (j.t0 + j.wait, 'picked', NULL),
                  (j.t0 + j.wait + j.run, CASE WHEN j.n % 50 = 0 THEN 'exception' ELSE 'successful' END,
                   CASE WHEN j.n % 50 = 0 THEN jsonb_build_object('job_id', j.n, 'timestamp', j.t0,
                     'exception_type', 'TimeoutError', 'exception_message', 'upstream timed out',
                     'traceback', 'Traceback (most recent call last):\\n', 'additional_context', '{}'::jsonb) END)
                ) v(t, s, tb)""");
        rows.sql("SELECT setval('pgqueuer_id_seq', 300000)"); // queue ids after the finished jobs' ids
        // oldest first, so ids grow with time as in a real log
        int batches = ENTRYPOINTS.size() * EXCEPTIONS.size();
        int perBatch = 50_000 / batches;
        for (int batch = batches - 1; batch >= 0; batch--) {
            int n = batch == 0 ? 50_000 - perBatch * (batches - 1) : perBatch;
            rows.pythonHeldFailures(ENTRYPOINTS.get(batch % ENTRYPOINTS.size()), EXCEPTIONS.get(batch / ENTRYPOINTS.size()),
                    n, Duration.ofMinutes(12L * batch + 1), Duration.ofMinutes(12));
        }
        rows.sql("""
                WITH q AS (
                  INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, headers, status)
                  SELECT n % 3, (ARRAY['send_email','resize_image','sync_crm','charge_card','py_report'])[1 + n % 5],
                         convert_to('{"n": ' || n || '}', 'UTF8'),
                         CASE WHEN n <= 2000 THEN now() - interval '1 second' * n ELSE now() + interval '1 second' * n END,
                         'null'::jsonb, 'queued'
                  FROM generate_series(1, 5000) n RETURNING id, entrypoint, priority)
                INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority) SELECT id, 'queued', entrypoint, priority FROM q""");
        for (int i = 0; i < 3; i++) {
            UUID qm = PYTHON_QUEUE_MANAGERS.get(i);
            rows.sql("UPDATE pgqueuer SET status = 'picked', queue_manager_id = '" + qm + "', heartbeat = now() "
                    + "WHERE id IN (SELECT id FROM pgqueuer WHERE status = 'queued' AND execute_after <= now() "
                    + "AND entrypoint = '" + ENTRYPOINTS.get(i) + "' ORDER BY id LIMIT 66)");
        }
        for (String ep : ENTRYPOINTS) {
            rows.pythonSchedule("*/5 * * * *", ep + "_sweep", Duration.ofMinutes(3), true);
        }
        // what the workers' aggregation did every 30 s, up to two minutes ago: one statistics row per second,
        // entrypoint, status and priority (the table starts empty, so a plain insert), the log rows marked
        rows.sql("""
                WITH folded AS (UPDATE pgqueuer_log SET aggregated = true
                                WHERE NOT aggregated AND created < now() - interval '2 minutes'
                                RETURNING created, priority, status, entrypoint)
                INSERT INTO pgqueuer_statistics (created, count, priority, status, entrypoint)
                SELECT date_trunc('sec', created), count(*), priority, status, entrypoint FROM folded GROUP BY 1, 3, 4, 5
                ORDER BY 1""");
        // the fold rewrote every log row; a day of real work leaves the tables compact and in time order
        rows.sql("VACUUM FULL ANALYZE");
    }
}
