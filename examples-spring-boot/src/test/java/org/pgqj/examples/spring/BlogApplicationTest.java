package org.pgqj.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The blog over HTTP on real PostgreSQL: publish enqueues and the handler indexes; a failed publish leaves no job. */
@ExtendWith(PostgresExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BlogApplicationTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> db.jdbcUrl());
        registry.add("spring.datasource.username", () -> db.user());
        registry.add("spring.datasource.password", () -> db.password());
    }

    @Value("${local.server.port}") int port;
    @Autowired JdbcTemplate jdbc;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void publishEnqueuesAndTheWorkerIndexes() throws Exception {
        long id = draft("Hello, queue");
        HttpResponse<String> published = post("/articles/" + id + "/publish");
        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).contains("\"jobId\"");
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/articles/" + id).body().contains("\"indexedAt\":\"20"));
        assertThat(get("/articles/" + id).body()).contains("\"status\":\"published\"");
    }

    @Test
    void failedPublishLeavesNoJob() throws Exception {
        long id = draft("Never published");
        long lastJobBefore = jdbc.queryForObject("SELECT coalesce(max(job_id), 0) FROM pgqueuer_log", Long.class);
        HttpResponse<String> failed = post("/articles/" + id + "/publish?fail=true");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(get("/articles/" + id).body()).contains("\"status\":\"draft\"");
        // a committed enqueue would have left a 'queued' log row with a new job id, even after the job ran
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log WHERE job_id > ?", Long.class, lastJobBefore)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer WHERE convert_from(payload, 'UTF8') = ?",
                Long.class, "{\"articleId\":" + id + "}")).isZero();
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
