package org.pgqj.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pgqj.core.JobStatus;
import org.pgqj.spring.test.PgqjTest;
import org.pgqj.testing.queue.JobMatcher;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.Worker;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** The blog over HTTP on real PostgreSQL: publish enqueues and the handler indexes; a failed publish leaves no job. */
@PgqjTest // a database of its own for the context, the queue emptied before each test, a TestQueue
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BlogApplicationTest {

    @Value("${local.server.port}") int port;
    @Autowired Worker worker; // the app's worker, started with the context
    @Autowired JdbcTemplate jdbc;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void publishEnqueuesAndTheWorkerIndexes(TestQueue queue) throws Exception {
        long id = draft("Hello, queue");
        HttpResponse<String> published = post("/articles/" + id + "/publish");
        assertThat(published.statusCode()).isEqualTo(200);
        long job = Long.parseLong(published.body().replaceAll(".*\"jobId\":(\\d+).*", "$1"));

        assertThat(queue.awaitIdle(worker).job(job).status()).isEqualTo(JobStatus.SUCCESSFUL);
        assertThat(get("/articles/" + id).body()).contains("\"status\":\"published\"").contains("\"indexedAt\":\"20");
    }

    @Test
    void failedPublishLeavesNoJob(TestQueue queue) throws Exception {
        long id = draft("Never published");
        HttpResponse<String> failed = post("/articles/" + id + "/publish?fail=true");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(get("/articles/" + id).body()).contains("\"status\":\"draft\"");

        queue.enqueued().requireNone(JobMatcher.payloadEqualTo(new IndexArticle(id)));
        assertThat(queue.awaitIdle(worker).jobs()).isEmpty(); // nothing was committed, so nothing ran
    }

    @Test
    void healthShowsThePgqjIndicator() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get("/actuator/health").body())
                .containsPattern("\"pgqj\":\\{\"details\":\\{[^}]*\"listener\":\"up\"[^}]*},\"status\":\"UP\""));
    }

    @Test
    void theDashboardIsMountedAtPgqjReadOnlyWhileNothingAuthenticatesIt() throws Exception {
        long id = draft("On the dashboard");
        assertThat(post("/articles/" + id + "/publish").statusCode()).isEqualTo(200);
        HttpResponse<String> jobs = get("/pgqj/jobs?entrypoint=index_article");
        assertThat(jobs.statusCode()).isEqualTo(200);
        assertThat(jobs.body()).contains("index_article").contains("Read-only dashboard");
        assertThat(get("/pgqj/healthz").statusCode()).isEqualTo(200);
        long before = jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log", Long.class);
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri("/pgqj/actions/cancel"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("ids=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("read-only");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log WHERE status = 'canceled'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log", Long.class)).isGreaterThanOrEqualTo(before);
    }

    private long draft(String title) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/articles")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\",\"authorEmail\":\"ada@example.com\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        return Long.parseLong(r.body().replaceAll("\\D", ""));
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
