package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** `pgqj web` from the packaged jar: the same connection settings, Basic auth from the environment, read-only, SIGTERM. */
@ExtendWith(PostgresExtension.class)
class PgqjWebIT {

    private static final Pattern URL = Pattern.compile("serving (http://127\\.0\\.0\\.1:\\d+/)");

    @Test
    void servesTheDashboardBehindBasicAuthUntilSigterm(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        assertEquals(0, CliProcess.run(db, "queue", "from_cli", "hello").exitCode());
        Process web = CliProcess.builder(db, Map.of("PGQUEUER_WEB_USER", "ops", "PGQUEUER_WEB_PASSWORD", "pw"), null,
                "web", "--port", "0", "--read-only").start();
        var out = CliProcess.drain(web.getInputStream());
        var err = CliProcess.drain(web.getErrorStream());
        try {
            String url = awaitUrl(err);
            assertTrue(err.text().contains("(read-only) with HTTP Basic"), err.text());
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(url + "jobs"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("ops:pw".getBytes(StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains(">from_cli<"), page.body());
            assertTrue(page.body().contains("Read-only dashboard"), page.body());
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(web.pid())).start().waitFor();
            assertTrue(web.waitFor(30, TimeUnit.SECONDS), "pgqj web exits after SIGTERM");
            out.join();
            err.join();
        }
    }

    @Test
    void aBadPortIsOneClearLine(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        var r = CliProcess.run(db, "web", "--port", "70000");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--port must be 0 to 65535 (got 70000)"), r.toString());
    }

    private static String awaitUrl(CliProcess.Drain err) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = URL.matcher(err.text());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pgqj web printed no URL within 60 s:\n" + err.text());
    }
}
