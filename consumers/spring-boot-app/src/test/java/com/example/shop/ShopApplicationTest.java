package com.example.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The shop, started on a database of its own from pgqj-testing (PGQUEUER_TEST_JDBC_URL's server in CI), over HTTP:
 * an order's job is enqueued in the request's transaction and run by the handler bean; a declined order leaves
 * neither row nor job.
 */
@ExtendWith(PostgresExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ShopApplicationTest {

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
    @Autowired Shipping shipping;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anOrderIsShippedByTheHandlerBean() throws Exception {
        System.out.printf("CONSUMER Spring Boot %s, Java %s, PostgreSQL %s; jOOQ %s, Flyway %s, Jackson %s,"
                        + " Micrometer %s, OpenTelemetry %s, pgjdbc %s%n",
                SpringBootVersion.getVersion(), Runtime.version(), jdbc.queryForObject("SHOW server_version",
                        String.class).split(" ")[0], org.jooq.Constants.FULL_VERSION, flywayVersion(),
                com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION,
                implementationVersion(io.micrometer.core.instrument.MeterRegistry.class),
                implementationVersion(io.opentelemetry.api.OpenTelemetry.class),
                implementationVersion(org.postgresql.Driver.class));

        HttpResponse<String> placed = post("/orders?item=teapot");
        assertThat(placed.statusCode()).isEqualTo(200);
        long id = Long.parseLong(placed.body().replaceAll("\\D", ""));

        Await.until("order " + id + " shipped", Duration.ofSeconds(30),
                () -> get("/orders/" + id).contains("\"status\":\"shipped\""));
        // The outcome is written after the handler returns (in the worker's next completion write).
        Await.until("the job logged successful", Duration.ofSeconds(10), () -> jdbc.queryForObject(
                "SELECT count(*) FROM pgqueuer_log WHERE status = 'successful' AND entrypoint = 'ship_order'",
                Long.class) == 1);
        assertThat(shipping.traced.get(id)).as("the job carried headers[\"otel\"] (pgqj-tracing)").isTrue();
        Await.until("the worker's meters on /actuator/prometheus", Duration.ofSeconds(10),
                () -> get("/actuator/prometheus").contains("pgqj_jobs_completed_total{entrypoint=\"ship_order\""));
    }

    @Test
    void aDeclinedOrderRollsBackItsJob() throws Exception {
        long jobsBefore = jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log", Long.class);

        HttpResponse<String> declined = post("/orders?item=kettle&fail=true");

        assertThat(declined.statusCode()).isEqualTo(422);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM orders WHERE item = 'kettle'", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pgqueuer_log", Long.class)).isEqualTo(jobsBefore);
    }

    /** The versions Spring Boot's BOM picked, for the CI log. */
    private static String implementationVersion(Class<?> type) {
        return type.getPackage().getImplementationVersion();
    }

    private static String flywayVersion() throws Exception {
        try (var in = org.flywaydb.core.Flyway.class.getResourceAsStream("/org/flywaydb/core/internal/version.txt")) {
            return new String(in.readAllBytes()).trim();
        }
    }

    private HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
