package org.pgqj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.Tables;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.JobOutcome;
import org.pgqj.worker.NonRetryableException;
import org.pgqj.worker.RetryPolicy;
import org.pgqj.worker.RetryRequested;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;
import org.slf4j.MDC;

/** The worker's pgqj.* meters and pgqueuer's database gauges, on real PostgreSQL, scraped as Prometheus text. */
@QueueTest
class WorkerMetricsTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private final TestQueue queue;
    private final DSLContext dsl;

    WorkerMetricsTest(TestQueue queue) {
        this.queue = queue;
        this.dsl = queue.dsl();
    }

    private void enqueue(String entrypoint, int n) {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(NewJob.of(entrypoint, null));
        }
        JobQueue.create(TABLES).enqueueAll(dsl, jobs);
    }

    private static WorkerOptions drain() {
        return WorkerOptions.builder().batchSize(5).mode(WorkerOptions.Mode.DRAIN).dequeueTimeout(Duration.ofSeconds(1)).build();
    }

    /** Each sample line {@code name{labels} value} of a scrape, keyed by {@code name{labels}}. */
    static Map<String, Double> samples(String scrape) {
        Map<String, Double> out = new ConcurrentHashMap<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)$").matcher(scrape);
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    @Test
    void countsEqualTheJobsRunByOutcome() throws Exception {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.create(simple);
        WorkerMetrics scraped = WorkerMetrics.create(prometheus);
        enqueue("ok", 23);
        enqueue("boom", 4);
        enqueue("again", 3);
        Worker worker = Worker.builder(queue.dataSource(), TABLES)
                .options(drain().toBuilder().interceptor(metrics).observer(metrics).interceptor(scraped).observer(scraped)
                        .build())
                .entrypoint("ok", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("boom", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new IllegalStateException("boom");
                })
                .entrypoint("again", EntrypointOptions.defaults(), (job, ctx) -> {
                    if (job.attempts() == 0) {
                        throw new RetryRequested(Duration.ZERO, "once more");
                    }
                })
                .build();
        worker.run(); // drain: returns when nothing is left

        assertEquals(23, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "ok", "status", "successful").counter().count());
        assertEquals(4, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "boom", "status", "exception").counter().count());
        assertEquals(3, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "again", "status", "retried").counter().count());
        assertEquals(3, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "again", "status", "successful").counter().count());
        assertEquals(23, simple.get(WorkerMetrics.JOB_DURATION).tags("entrypoint", "ok", "status", "successful").timer().count());
        assertEquals(23, simple.get(WorkerMetrics.QUEUE_WAIT).tags("entrypoint", "ok").timer().count());
        assertEquals(0, simple.get(WorkerMetrics.JOBS_RUNNING).tags("entrypoint", "ok").gauge().value());
        assertEquals(33, (long) simple.get(WorkerMetrics.CLAIM_BATCH_SIZE).summary().totalAmount(), "every run claimed once");
        assertTrue(simple.get(WorkerMetrics.CLAIM_DURATION).timer().count() >= 7, "at least 33/5 claims");
        assertTrue(simple.get(WorkerMetrics.FLUSH_DURATION).timer().count() >= 1);
        assertEquals(0, simple.get(WorkerMetrics.LISTENER_RECONNECTS).counter().count());

        Map<String, Double> s = samples(prometheus.scrape());
        assertEquals(23.0, s.get("pgqj_jobs_completed_total{entrypoint=\"ok\",status=\"successful\"}"), s.toString());
        assertEquals(4.0, s.get("pgqj_jobs_completed_total{entrypoint=\"boom\",status=\"exception\"}"));
        assertEquals(3.0, s.get("pgqj_jobs_completed_total{entrypoint=\"again\",status=\"retried\"}"));
        assertEquals(0.0, s.get("pgqj_jobs_completed_total{entrypoint=\"ok\",status=\"held\"}"));
        assertEquals(23.0, s.get("pgqj_job_duration_seconds_count{entrypoint=\"ok\",status=\"successful\"}"));
        assertEquals(23.0, s.get("pgqj_job_queue_wait_seconds_count{entrypoint=\"ok\"}"));
        assertEquals(0.0, s.get("pgqj_jobs_running{entrypoint=\"ok\"}"));
        assertEquals(33.0, s.get("pgqj_claim_batch_size_jobs_sum"));
        assertTrue(s.containsKey("pgqj_claim_duration_seconds_count") && s.containsKey("pgqj_flush_duration_seconds_count"), s.keySet().toString());
        assertTrue(s.containsKey("pgqj_listener_connected"));
        assertEquals(0.0, s.get("pgqj_listener_reconnects_total"));
    }

    @Test
    void timeoutsAndFailuresNotRetriedAreCountedBesideTheirStatus() throws Exception {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        WorkerMetrics metrics = WorkerMetrics.create(simple);
        enqueue("slow", 2);
        enqueue("declined", 3);
        RetryPolicy fiveTries = RetryPolicy.exponentialBackoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 5);
        Worker.builder(queue.dataSource(), TABLES)
                .options(drain().toBuilder().interceptor(metrics).observer(metrics).build())
                .entrypoint("slow", EntrypointOptions.builder().timeout(Duration.ofMillis(200)).build(), (job, ctx) ->
                        Thread.sleep(Duration.ofMinutes(5)))
                .entrypoint("declined", EntrypointOptions.builder().retryPolicy(fiveTries).build(), (job, ctx) -> {
                    throw new NonRetryableException("declined");
                })
                .build().run();

        assertEquals(2, simple.get(WorkerMetrics.JOBS_TIMED_OUT).tags("entrypoint", "slow").counter().count());
        assertEquals(2, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "slow", "status", "exception").counter().count());
        assertEquals(0, simple.get(WorkerMetrics.JOBS_NOT_RETRIED).tags("entrypoint", "slow").counter().count());
        assertEquals(3, simple.get(WorkerMetrics.JOBS_NOT_RETRIED).tags("entrypoint", "declined").counter().count());
        assertEquals(3, simple.get(WorkerMetrics.JOBS_COMPLETED).tags("entrypoint", "declined", "status", "exception").counter().count());
        assertEquals(0, simple.get(WorkerMetrics.JOBS_TIMED_OUT).tags("entrypoint", "declined").counter().count());
    }

    @Test
    void theListenerGaugeIsOneWhileConnected() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WorkerMetrics metrics = WorkerMetrics.create(registry, io.micrometer.core.instrument.Tags.of("worker", "w1"));
        try (Worker worker = Worker.builder(queue.dataSource(), TABLES)
                .options(WorkerOptions.builder().observer(metrics).build())
                .entrypoint("idle", EntrypointOptions.defaults(), (job, ctx) -> { }).build()) {
            worker.start();
            Await.until("the listener gauge is 1", Duration.ofSeconds(10),
                    () -> registry.get(WorkerMetrics.LISTENER_CONNECTED).tags("worker", "w1").gauge().value() == 1.0);
        }
    }

    @Test
    void everyEntrypointsMetersExistAtZeroFromTheStart() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.create(prometheus);
        try (Worker worker = Worker.builder(queue.dataSource(), TABLES)
                .options(WorkerOptions.builder().interceptor(metrics).observer(metrics).build())
                .entrypoint("never_ran", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("nor_this", EntrypointOptions.defaults(), (job, ctx) -> { }).build()) {
            assertTrue(prometheus.find(WorkerMetrics.JOBS_COMPLETED).meters().isEmpty(), "nothing before the start");
            worker.start();
            Map<String, Double> s = samples(prometheus.scrape());
            for (String entrypoint : List.of("never_ran", "nor_this")) {
                for (JobOutcome.Status status : JobOutcome.Status.values()) {
                    String labels = "{entrypoint=\"" + entrypoint + "\",status=\"" + status.label() + "\"}";
                    assertEquals(0.0, s.get("pgqj_jobs_completed_total" + labels), labels + " in " + s.keySet());
                    assertEquals(0.0, s.get("pgqj_job_duration_seconds_count" + labels), labels);
                }
                assertEquals(0.0, s.get("pgqj_job_queue_wait_seconds_count{entrypoint=\"" + entrypoint + "\"}"));
                assertEquals(0.0, s.get("pgqj_jobs_running{entrypoint=\"" + entrypoint + "\"}"));
                assertEquals(0.0, s.get("pgqj_jobs_timed_out_total{entrypoint=\"" + entrypoint + "\"}"));
                assertEquals(0.0, s.get("pgqj_jobs_not_retried_total{entrypoint=\"" + entrypoint + "\"}"));
            }
        }
    }

    @Test
    void handlersRunWithTheJobInTheMdc() throws Exception {
        enqueue("mdc", 1);
        long id = dsl.select(Tables.PGQUEUER.ID).from(Tables.PGQUEUER).fetchOne().value1();
        Map<String, String> seen = new ConcurrentHashMap<>();
        Worker.builder(queue.dataSource(), TABLES).options(drain())
                .entrypoint("mdc", EntrypointOptions.defaults(), (job, ctx) -> seen.putAll(MDC.getCopyOfContextMap()))
                .build().run();
        assertEquals(Map.of("pgqj.job_id", Long.toString(id), "pgqj.entrypoint", "mdc", "pgqj.attempt", "0"), seen);
    }

    @Test
    void pgqueuerGaugesHavePgqueuersNamesLabelsAndSums() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PgqueuerGauges gauges = PgqueuerGauges.register(prometheus, queue.dataSource(), TABLES);
        enqueue("alpha", 4);
        JobQueue.create(TABLES).enqueueAll(dsl, List.of(NewJob.builder("beta").priority(1).build(), NewJob.of("beta", null)));
        gauges.refresh();
        Map<String, Double> s = samples(prometheus.scrape());
        assertEquals(4.0, s.get("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"queued\"}"), s.toString());
        assertEquals(2.0, s.get("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"beta\",status=\"queued\"}"), "summed over priorities");
        assertEquals(4.0, s.get("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"queued\"}"));
        assertEquals(2.0, s.get("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"beta\",status=\"queued\"}"));

        Worker.builder(queue.dataSource(), TABLES).options(drain())
                .entrypoint("alpha", EntrypointOptions.defaults(), (job, ctx) -> { }).build().run();
        gauges.refresh();
        s = samples(prometheus.scrape());
        assertEquals(null, s.get("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"queued\"}"),
                "a label set that no longer occurs is gone");
        assertEquals(2.0, s.get("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"beta\",status=\"queued\"}"));
        assertEquals(4.0, s.get("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"picked\"}"));
        assertEquals(4.0, s.get("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"successful\"}"));
        assertEquals(4.0, s.get("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"alpha\",status=\"queued\"}"));

        try (MetricsServer server = MetricsServer.start(0, prometheus, gauges::refresh)) {
            enqueue("gamma", 3);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(MetricsServer.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(3.0, samples(r.body()).get("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"gamma\",status=\"queued\"}"),
                    "refreshed for the scrape");
        }
    }
}
