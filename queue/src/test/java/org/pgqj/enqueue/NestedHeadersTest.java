package org.pgqj.enqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.JobRows;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

/** Headers are any JSON (pgqueuer's dict[str, object]), written once and read back equal; enqueue interceptors. */
@MigratedQueueTest
class NestedHeadersTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final ObjectMapper JSON = new ObjectMapper();

    private DSLContext db;

    @BeforeEach
    void dsl(TestJobs jobs) {
        db = jobs.dsl();
    }

    @Test
    void everyJsonValueRoundTrips() throws Exception {
        Map<String, Object> otel = new LinkedHashMap<>();
        otel.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        otel.put("tracestate", "vendor=1");
        List<Object> list = new ArrayList<>(Arrays.asList(1, "two", null, List.of(3.5), Map.of("k", false)));
        NewJob job = NewJob.builder("headers_job")
                .header("otel", otel)
                .header("list", list)
                .header("int", 7)
                .header("long", 12_345_678_901L)
                .header("float", 2.25)
                .header("yes", true)
                .header("nothing", null)
                .header("text", "plain")
                .build();
        long id = JobQueue.create(TABLES).enqueue(db, job);

        String stored = db.select(PGQUEUER.HEADERS).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne().value1().data();
        assertEquals(JSON.readTree("{\"otel\":{\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\","
                + "\"tracestate\":\"vendor=1\"},\"list\":[1,\"two\",null,[3.5],{\"k\":false}],\"int\":7,"
                + "\"long\":12345678901,\"float\":2.25,\"yes\":true,\"nothing\":null,\"text\":\"plain\"}"), JSON.readTree(stored));

        Job read = JobRows.read(db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne());
        assertEquals(job.headers(), read.headers());
        assertEquals(otel, read.headers().get("otel"));
        assertEquals(list, read.headers().get("list"));
        assertTrue(read.headers().containsKey("nothing"));
        // caller-owned objects are not kept: changing them later changes nothing
        otel.put("traceparent", "changed");
        assertEquals("vendor=1", ((Map<?, ?>) job.headers().get("otel")).get("tracestate"));
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                ((Map<?, ?>) job.headers().get("otel")).get("traceparent"));
    }

    @Test
    void noHeadersIsJsonNullAsPgqueuerWrites() {
        long id = JobQueue.create(TABLES).enqueue(db, NewJob.of("bare", null));
        assertEquals("null", db.select(PGQUEUER.HEADERS).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne().value1().data());
    }

    @Test
    void aValueJacksonCannotWriteFailsWithOneClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NewJob.builder("bad_headers").header("lock", new Object()).build());
        assertTrue(e.getMessage().startsWith("header 'lock' of entrypoint 'bad_headers' cannot be written as JSON "
                + "(java.lang.Object: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("use strings, numbers, booleans, null, lists and maps"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NewJob.builder("bad_headers").header(null, "x").build());
    }

    @Test
    void interceptorsSeeEachBatchInOrderAndAddHeaders() {
        List<List<String>> seen = new ArrayList<>();
        JobQueue queue = JobQueue.create(TABLES)
                .withInterceptor(jobs -> {
                    seen.add(jobs.stream().map(NewJob::entrypoint).toList());
                    return jobs.stream().map(j -> j.toBuilder().header("tenant", "acme").build()).toList();
                })
                .withInterceptor(jobs -> jobs.stream()
                        .map(j -> j.toBuilder().header("seen_tenant", j.headers().get("tenant")).build()).toList());
        List<Long> ids = queue.enqueueAll(db, List.of(NewJob.of("a", null),
                NewJob.builder("b").header("keep", 1).priority(3).build()));
        assertEquals(List.of(List.of("a", "b")), seen);
        List<Job> rows = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.in(ids)).orderBy(PGQUEUER.ID).fetch(JobRows::read);
        assertEquals(Map.of("tenant", "acme", "seen_tenant", "acme"), rows.get(0).headers());
        assertEquals(Map.of("keep", 1, "tenant", "acme", "seen_tenant", "acme"), rows.get(1).headers());
        assertEquals(3, rows.get(1).priority());

        JobQueue dropping = JobQueue.create(TABLES).withInterceptor(jobs -> jobs.subList(0, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dropping.enqueueAll(db, List.of(NewJob.of("x", null), NewJob.of("y", null))));
        assertTrue(e.getMessage().contains("returned 1 jobs for a batch of 2"), e.getMessage());
        assertEquals(2, db.fetchCount(PGQUEUER), "nothing of the bad batch was written");
    }
}
