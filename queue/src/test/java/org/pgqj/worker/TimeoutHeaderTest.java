package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * A job's own timeout through header {@code pgqj-timeout} (issue 29): it replaces the entrypoint's, in both
 * directions; a value that is no timeout is logged and the entrypoint's is used, so the job still runs.
 */
@MigratedQueueTest
class TimeoutHeaderTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private TestJobs jobs;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @BeforeEach
    void jobs(TestJobs jobs) {
        this.jobs = jobs;
    }

    private long enqueue(NewJob job) {
        return JobQueue.create(QueueTables.defaults()).enqueue(jobs.dsl(), job);
    }

    private String exceptionMessage(long id) throws Exception {
        String tb = jobs.dsl().select(PGQUEUER_LOG.TRACEBACK).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(id), PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.exception))
                .fetchOne(PGQUEUER_LOG.TRACEBACK).data();
        return JSON.readTree(tb).get("exception_message").asText();
    }

    private static Worker worker(EntrypointOptions options, JobHandler handler) {
        return Worker.builder(db.dataSource(), QueueTables.defaults()).entrypoint("report", options, handler)
                .options(TestJobs.fastOptions().build()).build();
    }

    private static final JobHandler SLEEPS_TWO_SECONDS = (job, ctx) -> Thread.sleep(Duration.ofSeconds(2));

    @Test
    void theHeaderShortensTheEntrypointsTimeoutAndLengthensIt() throws Exception {
        long shortened = enqueue(NewJob.builder("report").timeout(Duration.ofMillis(300)).build());
        long lengthened = enqueue(NewJob.builder("report").header(Job.TIMEOUT_HEADER, 30).build()); // seconds, as Python may write
        long plain = enqueue(NewJob.of("report", null));
        try (Worker w = worker(EntrypointOptions.builder().timeout(Duration.ofSeconds(1)).build(), SLEEPS_TWO_SECONDS).start()) {
            Await.until("three outcomes", WAIT, () -> jobs.queueCount() == 0);
        }
        assertEquals(PgqueuerStatus.exception, jobs.logStatuses(shortened).getLast());
        assertEquals("Job " + shortened + " of entrypoint 'report' timed out after 300 ms (its pgqj-timeout header); its "
                + "context was cancelled and its thread interrupted", exceptionMessage(shortened));
        assertEquals(PgqueuerStatus.successful, jobs.logStatuses(lengthened).getLast(), "30 s outlast the 2 s it takes");
        assertEquals(PgqueuerStatus.exception, jobs.logStatuses(plain).getLast());
        assertTrue(exceptionMessage(plain).contains("timed out after 1 s (its entrypoint's timeout)"), exceptionMessage(plain));
    }

    @Test
    void theHeaderTimesOutAJobOfAnEntrypointWithoutATimeout() throws Exception {
        long id = enqueue(NewJob.builder("report").timeout(Duration.ofMillis(200)).build());
        try (Worker w = worker(EntrypointOptions.defaults(), SLEEPS_TWO_SECONDS).start()) {
            Await.until("its outcome", WAIT, () -> jobs.logStatuses(id).size() == 3);
        }
        assertEquals(PgqueuerStatus.exception, jobs.logStatuses(id).getLast());
        assertTrue(exceptionMessage(id).contains("timed out after 200 ms (its pgqj-timeout header)"), exceptionMessage(id));
    }

    @Test
    void aMalformedHeaderIsLoggedAndTheEntrypointsTimeoutIsUsed() throws Exception {
        long words = enqueue(NewJob.builder("report").header(Job.TIMEOUT_HEADER, "ten seconds").build());
        long negative = enqueue(NewJob.builder("report").header(Job.TIMEOUT_HEADER, -5).build());
        try (LogCapture runner = LogCapture.of(JobRunner.class);
             Worker w = worker(EntrypointOptions.builder().timeout(Duration.ofSeconds(10)).build(), (job, ctx) -> { }).start()) {
            Await.until("both ran", WAIT, () -> jobs.queueCount() == 0);
            List<ILoggingEvent> warns = runner.events(e -> e.getLevel() == Level.WARN);
            assertEquals(2, warns.size(), warns::toString);
            ILoggingEvent first = warns.stream().filter(e -> e.getFormattedMessage().startsWith("Job " + words + " ")).findFirst()
                    .orElseThrow();
            assertEquals("Job " + words + " (report) has header pgqj-timeout = \"ten seconds\", which is no timeout (a positive "
                    + "ISO-8601 duration such as \"PT30S\", or a number of seconds, at most PT876000H); it runs with its "
                    + "entrypoint's timeout of 10 s instead", first.getFormattedMessage());
            assertEquals(String.valueOf(words), first.getMDCPropertyMap().get("pgqj.job_id"));
            assertTrue(warns.stream().anyMatch(e -> e.getFormattedMessage().startsWith("Job " + negative
                    + " (report) has header pgqj-timeout = -5, which is no timeout")), warns::toString);
        }
        assertEquals(PgqueuerStatus.successful, jobs.logStatuses(words).getLast(), "the job still ran");
        assertEquals(PgqueuerStatus.successful, jobs.logStatuses(negative).getLast());
    }

    @Test
    void headerTimeoutReadsTextAndSeconds() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), job("PT30S").headerTimeout());
        assertEquals(Optional.of(Duration.ofSeconds(30)), job(" PT30S ").headerTimeout());
        assertEquals(Optional.of(Duration.ofMillis(1500)), job(1.5).headerTimeout());
        assertEquals(Optional.of(Duration.ofSeconds(45)), job(45).headerTimeout());
        assertEquals(Optional.of(Job.MAX_TIMEOUT), job(Job.MAX_TIMEOUT.toString()).headerTimeout());
        for (Object bad : new Object[] {"30", "PT0S", "-PT1S", 0, -1, Double.NaN, 1e300, true, List.of(1), Map.of(),
                Job.MAX_TIMEOUT.plusSeconds(1).toString()}) {
            assertEquals(Optional.empty(), job(bad).headerTimeout(), String.valueOf(bad));
        }
        assertEquals(Optional.empty(), job(null).headerTimeout(), "JSON null: no header");
        assertEquals(Optional.empty(), Job.of("report", new byte[0]).headerTimeout());
    }

    @Test
    void theBuilderWritesIsoTextAndRefusesWhatIsNoTimeout() {
        assertEquals("PT1M30S", NewJob.builder("report").timeout(Duration.ofSeconds(90)).build().headers().get("pgqj-timeout"));
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1), Job.MAX_TIMEOUT.plusNanos(1), null}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NewJob.builder("report").timeout(bad));
            assertEquals("timeout of a job of entrypoint 'report' must be more than zero and at most PT876000H, got " + bad,
                    e.getMessage());
        }
    }

    private static Job job(Object header) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(Job.TIMEOUT_HEADER, header);
        Instant now = Instant.now();
        return new Job(1, 0, now, now, now, now, JobStatus.QUEUED, "report", new byte[0], false, 0, Optional.<UUID>empty(),
                Optional.empty(), headers, Optional.empty());
    }
}
