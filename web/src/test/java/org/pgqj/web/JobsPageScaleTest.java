package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;

/**
 * A measurement, not a speed test (targets belong to the benchmark): the jobs page over 1,000,000 queued rows,
 * each URL requested 20 times after 3 warm-ups, median and worst printed. It checks only that the pages are
 * right (a full page, the cursor continuing below the first page). Run with {@code -Dpgqj.web.scale=true}.
 */
@QueueTest
@EnabledIfSystemProperty(named = "pgqj.web.scale", matches = "true")
class JobsPageScaleTest {

    private static final Pattern ROW_ID = Pattern.compile("<td class=\"num\"><a href=\"/jobs/(\\d+)\">");

    @Test
    void jobsPageAtAMillionQueuedRows(TestDatabase db) {
        Rows rows = new Rows(db.dataSource());
        // the shape of pgqueuer's own rows (JSON null headers, status queued), four entrypoints, priorities 0-9
        rows.sql("""
                INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, headers, status)
                SELECT n % 10, 'ep_' || (n % 4), convert_to('{"n": ' || n || '}', 'UTF8'), now(), 'null'::jsonb, 'queued'
                FROM generate_series(1, 1000000) AS g(n)""");
        rows.sql("UPDATE pgqueuer SET status = 'failed' WHERE id % 10000 = 0"); // 100 held jobs
        rows.sql("VACUUM ANALYZE pgqueuer");
        long mid = rows.count("SELECT id FROM pgqueuer ORDER BY id OFFSET 500000 LIMIT 1");
        try (DashboardServer server = DashboardServer.start(Dashboard.builder(db.dataSource(), QueueTables.defaults())
                .build(), "127.0.0.1", 0)) {
            Http http = Http.anonymous("http://127.0.0.1:" + server.port());
            Map<String, String> urls = new LinkedHashMap<>();
            urls.put("baseline: /healthz (no database)", "/healthz");
            urls.put("baseline: schedules (empty table)", "/schedules");
            urls.put("first page", "/jobs");
            urls.put("page in the middle (before=" + mid + ")", "/jobs?before=" + mid);
            urls.put("entrypoint ep_2", "/jobs?entrypoint=ep_2");
            urls.put("entrypoint ep_1, queued, priority 7", "/jobs?entrypoint=ep_1&status=queued&priority=7");
            urls.put("status failed (100 of 1,000,000)", "/jobs?status=failed");
            urls.put("older than 1 d (none)", "/jobs?age=1d");
            urls.put("job detail", "/jobs/" + mid);
            urls.put("overview (sizes scan the table)", "/");
            StringBuilder report = new StringBuilder("jobs page at 1,000,000 queued rows (median / max of 20, ms):\n");
            for (var e : urls.entrySet()) {
                List<Long> times = new ArrayList<>();
                HttpResponse<String> last = null;
                for (int i = 0; i < 23; i++) {
                    long t = System.nanoTime();
                    last = http.get(e.getValue());
                    if (i >= 3) {
                        times.add((System.nanoTime() - t) / 1_000_000);
                    }
                }
                assertEquals(200, last.statusCode(), e.getValue());
                times.sort(null);
                report.append(String.format("  %-45s %5d / %5d%n", e.getKey(), times.get(times.size() / 2), times.get(times.size() - 1)));
                if (e.getValue().equals("/jobs")) {
                    assertEquals(50, ids(last.body()).size());
                }
                if (e.getValue().startsWith("/jobs?before=")) {
                    List<Long> ids = ids(last.body());
                    assertEquals(50, ids.size());
                    assertEquals(mid - 1, ids.get(0), "the page continues right below the cursor");
                }
                if (e.getValue().equals("/jobs?status=failed")) {
                    assertTrue(ids(last.body()).stream().allMatch(id -> id % 10000 == 0));
                }
            }
            System.out.println(report);
        }
    }

    private static List<Long> ids(String body) {
        List<Long> ids = new ArrayList<>();
        Matcher m = ROW_ID.matcher(body);
        while (m.find()) {
            ids.add(Long.valueOf(m.group(1)));
        }
        return ids;
    }

}
