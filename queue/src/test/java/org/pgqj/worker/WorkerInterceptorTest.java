package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * Interceptors around handler calls (order, outcomes, failures of their own) and the worker observer. The MDC
 * scope is tested in the metrics module, which has a logging backend with an MDC (slf4j-simple has none).
 */
@MigratedQueueTest
class WorkerInterceptorTest {

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

    /** Records "name>" before and "name<status" after the call. */
    private static JobInterceptor recording(String name, List<String> trace) {
        return (job, ctx, next) -> {
            trace.add(name + ">" + job.entrypoint());
            JobOutcome outcome = next.proceed();
            trace.add(name + "<" + outcome.status().label());
            return outcome;
        };
    }

    @Test
    void interceptorsRunInOrderAroundTheHandlerAndSeeEveryOutcome() throws Exception {
        List<String> trace = Collections.synchronizedList(new ArrayList<>());
        Map<String, JobOutcome> outcomes = new ConcurrentHashMap<>();
        CountDownLatch cancelMe = new CountDownLatch(1);
        JobInterceptor outcomeOf = (job, ctx, next) -> {
            JobOutcome o = next.proceed();
            outcomes.put(job.entrypoint(), o);
            return o;
        };
        WorkerOptions options = WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1))
                .interceptor(recording("options", trace))
                .interceptor("ok", recording("ok-only", trace)) // inside every worker-wide one, added before or after
                .interceptor(recording("worker", trace))
                .interceptor(outcomeOf)
                .build();
        EntrypointOptions hold = EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD).build();
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults()).options(options)
                .entrypoint("ok", EntrypointOptions.defaults(), (job, ctx) -> {
                    trace.add("handler");
                })
                .entrypoint("boom", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new IllegalStateException("boom!");
                })
                .entrypoint("held", hold, (job, ctx) -> {
                    throw new IllegalStateException("held!");
                })
                .entrypoint("again", EntrypointOptions.defaults(), (job, ctx) -> {
                    if (job.attempts() == 0) {
                        throw new RetryRequested(Duration.ZERO, "not yet");
                    }
                })
                .entrypoint("cancel_me", EntrypointOptions.defaults(), (job, ctx) -> {
                    cancelMe.countDown();
                    Thread.sleep(30_000); // interrupted by the cancellation
                })
                .build()) {
            worker.start();
            jobs.enqueue("ok", "1".getBytes(UTF_8));
            Await.until("ok ran", Duration.ofSeconds(10), () -> outcomes.containsKey("ok"));
            assertEquals(List.of("options>ok", "worker>ok", "ok-only>ok", "handler", "ok-only<successful",
                    "worker<successful", "options<successful"), List.copyOf(trace));

            jobs.enqueue("boom", null);
            jobs.enqueue("held", null);
            jobs.enqueue("again", null);
            long cancel = jobs.enqueue("cancel_me", null);
            assertTrue(cancelMe.await(10, TimeUnit.SECONDS));
            jobs.dsl().transaction(t -> QueueAdmin.create(QueueTables.defaults()).cancel(t.dsl(), List.of(cancel)));
            assertTrue(worker.awaitDrained(Duration.ofSeconds(20)));
            Await.until("all outcomes", Duration.ofSeconds(10), () -> outcomes.size() == 5);
        }
        assertEquals(JobOutcome.Status.EXCEPTION, outcomes.get("boom").status());
        assertEquals("boom!", outcomes.get("boom").error().orElseThrow().getMessage());
        assertEquals(JobOutcome.Status.HELD, outcomes.get("held").status());
        assertEquals(JobOutcome.Status.SUCCESSFUL, outcomes.get("again").status(), "the second attempt's outcome");
        assertEquals(JobOutcome.Status.CANCELED, outcomes.get("cancel_me").status());
        assertTrue(trace.contains("worker<retried"), trace.toString());
        assertTrue(trace.contains("worker<exception") && trace.contains("worker<held") && trace.contains("worker<canceled"));
    }

    @Test
    void anInterceptorThatThrowsFailsTheJobLikeItsHandler() throws Exception {
        AtomicInteger handlerRuns = new AtomicInteger();
        List<JobOutcome> seen = new CopyOnWriteArrayList<>();
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1))
                        .interceptor((job, ctx, next) -> {
                            JobOutcome o = next.proceed();
                            seen.add(o);
                            return o;
                        })
                        .interceptor("guarded", (job, ctx, next) -> {
                            throw new SecurityException("no tenant in headers");
                        })
                        .interceptor("twice", (job, ctx, next) -> {
                            next.proceed();
                            return next.proceed();
                        })
                        .build())
                .entrypoint("guarded", EntrypointOptions.defaults(), (job, ctx) -> handlerRuns.incrementAndGet())
                .entrypoint("twice", EntrypointOptions.defaults(), (job, ctx) -> handlerRuns.incrementAndGet())
                .build()) {
            worker.start();
            long guarded = jobs.enqueue("guarded", null);
            long twice = jobs.enqueue("twice", null);
            assertTrue(worker.awaitDrained(Duration.ofSeconds(20)));
            Await.until("log rows", Duration.ofSeconds(10), () -> jobs.logStatuses(guarded).size() == 3
                    && jobs.logStatuses(twice).size() == 3);
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception), jobs.logStatuses(guarded));
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception), jobs.logStatuses(twice));
        }
        assertEquals(1, handlerRuns.get(), "the handler of 'twice' ran once; 'guarded' never reached its handler");
        assertEquals(2, seen.size());
        assertTrue(seen.stream().allMatch(o -> o.status() == JobOutcome.Status.EXCEPTION), seen.toString());
        assertTrue(seen.stream().anyMatch(o -> o.error().orElseThrow() instanceof SecurityException));
        assertTrue(seen.stream().anyMatch(o -> o.error().orElseThrow().getMessage().startsWith("proceed() called twice")));
    }

    @Test
    void theObserverSeesClaimsFlushesAndTheListener() throws Exception {
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger connected = new AtomicInteger();
        List<Duration> latencies = new CopyOnWriteArrayList<>();
        WorkerObserver observer = new WorkerObserver() {
            @Override
            public void onClaim(int requested, int got, Duration took) {
                assertTrue(got <= requested);
                claimed.addAndGet(got);
                latencies.add(took);
            }

            @Override
            public void onFlush(int n, Duration took) {
                written.addAndGet(n);
                latencies.add(took);
            }

            @Override
            public void onListenerConnected() {
                connected.incrementAndGet();
            }
        };
        jobs.enqueueMany("observed", 25);
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .options(WorkerOptions.builder().batchSize(10).dequeueTimeout(Duration.ofSeconds(1))
                        .observer(observer)
                        .observer(new WorkerObserver() {
                            @Override
                            public void onClaim(int requested, int got, Duration took) {
                                throw new IllegalStateException("a broken observer must not stop the worker");
                            }
                        })
                        .build())
                .entrypoint("observed", EntrypointOptions.defaults(), (job, ctx) -> { })
                .build()) {
            worker.start();
            assertTrue(worker.awaitDrained(Duration.ofSeconds(20)));
            Await.until("all written", Duration.ofSeconds(10), () -> written.get() == 25);
        }
        assertEquals(25, claimed.get());
        assertEquals(1, connected.get());
        assertTrue(latencies.stream().allMatch(d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(10)) < 0));
        assertEquals(0, jobs.queueCount());
    }

    @Test
    void anInterceptorForAnUnknownEntrypointIsRejected() {
        WorkerException e = assertThrows(WorkerException.class, () -> Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("known", EntrypointOptions.defaults(), (job, ctx) -> { })
                .options(WorkerOptions.builder().interceptor("knwon", (job, ctx, next) -> next.proceed()).build())
                .build());
        assertTrue(e.getMessage().contains("'knwon'") && e.getMessage().contains("[known]"), e.getMessage());
    }
}
