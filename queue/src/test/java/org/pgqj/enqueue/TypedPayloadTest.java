package org.pgqj.enqueue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.Entrypoint;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadException;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;

@MigratedQueueTest
class TypedPayloadTest {

    @Entrypoint("index_article")
    record IndexArticle(long articleId, UUID requestId, Instant publishedAt, LocalDate day,
                        OffsetDateTime local, Optional<String> note, List<String> tags) { }

    @Entrypoint("resize_image")
    record ResizeImage(String imageUrl, int widthPx) { }

    record NoEntrypoint(int x) { }

    private static final QueueTables TABLES = QueueTables.defaults();

    @Test
    void recordRoundTripsThroughTheStoredBytesAsPlainJson(TestDatabase db) throws Exception {
        JobQueue queue = JobQueue.create(TABLES);
        DSLContext dsl = TABLES.dsl(db.dataSource());
        IndexArticle article = new IndexArticle(42, UUID.fromString("6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d"),
                Instant.parse("2026-11-25T06:00:00.123456Z"), LocalDate.of(2026, 11, 25),
                OffsetDateTime.of(2026, 11, 25, 8, 0, 0, 0, ZoneOffset.ofHours(2)), Optional.empty(), List.of("a", "b"));
        long id = queue.enqueue(dsl, article);

        var row = dsl.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
        assertEquals("index_article", row.getEntrypoint());
        // the bytes are UTF-8 JSON with plain types json.loads reads: numbers, ISO-8601 strings, null, lists
        JsonNode json = new ObjectMapper().readTree(new String(row.getPayload(), UTF_8));
        assertEquals(42, json.get("articleId").asLong());
        assertEquals("6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d", json.get("requestId").asText());
        assertEquals("2026-11-25T06:00:00.123456Z", json.get("publishedAt").asText());
        assertEquals("2026-11-25", json.get("day").asText());
        assertEquals("2026-11-25T08:00:00+02:00", json.get("local").asText());
        assertTrue(json.get("note").isNull());
        assertEquals(2, json.get("tags").size());
        // and back, as the worker side will
        IndexArticle back = queue.codec().decode(row.getPayload(), IndexArticle.class);
        assertEquals(article.articleId(), back.articleId());
        assertEquals(article.requestId(), back.requestId());
        assertEquals(article.publishedAt(), back.publishedAt());
        assertEquals(article.day(), back.day());
        assertEquals(article.local().toInstant(), back.local().toInstant());
        assertEquals(article.tags(), back.tags());
    }

    /** What a Python handler does with the stored bytes: json.loads, then datetime/uuid parsing. */
    @Test
    void pythonReadsTheStoredBytesWithJsonLoads(TestDatabase db) throws Exception {
        assumeTrue(pythonAvailable(), "python3 not on PATH");
        JobQueue queue = JobQueue.create(TABLES);
        DSLContext dsl = TABLES.dsl(db.dataSource());
        long id = queue.enqueue(dsl, new IndexArticle(7, UUID.fromString("6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d"),
                Instant.parse("2026-11-25T06:00:00.123456Z"), LocalDate.of(2026, 11, 25),
                OffsetDateTime.of(2026, 11, 25, 8, 0, 0, 0, ZoneOffset.ofHours(2)), Optional.of("ü"), List.of()));
        byte[] payload = dsl.select(PGQUEUER.PAYLOAD).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne(PGQUEUER.PAYLOAD);
        Process python = new ProcessBuilder("python3", "-c", String.join("\n",
                "import json, sys, uuid, datetime",
                "p = json.loads(sys.stdin.buffer.read())",
                "print(p['articleId'], uuid.UUID(p['requestId']), datetime.datetime.fromisoformat(p['publishedAt']).isoformat(),",
                "      datetime.date.fromisoformat(p['day']), datetime.datetime.fromisoformat(p['local']).utcoffset(), p['note'], p['tags'])"))
                .redirectErrorStream(true).start();
        try (var in = python.getOutputStream()) {
            in.write(payload);
        }
        String out = new String(python.getInputStream().readAllBytes(), UTF_8).strip();
        assertTrue(python.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("7 6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d 2026-11-25T06:00:00.123456+00:00 2026-11-25 2:00:00 ü []", out);
    }

    private static boolean pythonAvailable() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void typedJobsTakeOptionsAndACustomObjectMapper(TestDatabase db) {
        var mapper = PayloadCodec.defaultObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        JobQueue queue = JobQueue.create(TABLES, PayloadCodec.using(mapper));
        DSLContext dsl = TABLES.dsl(db.dataSource());
        long id = queue.enqueue(dsl, queue.job(new ResizeImage("https://x/y.png", 640))
                .priority(9).delay(Duration.ofMinutes(1)).dedupeKey("img-1").build());
        var row = dsl.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
        assertEquals("{\"image_url\":\"https://x/y.png\",\"width_px\":640}", new String(row.getPayload(), UTF_8));
        assertEquals(9, row.getPriority());
        assertEquals("img-1", row.getDedupeKey());

        List<Long> ids = queue.enqueueRecords(dsl, List.of(new ResizeImage("a", 1), new ResizeImage("b", 2)));
        assertEquals(2, ids.size());
        assertEquals("resize_image", NewJob.of(new ResizeImage("c", 3)).entrypoint());
    }

    @Test
    void aRecordWithoutEntrypointIsRejectedBeforeWriting(TestDatabase db) {
        DSLContext dsl = TABLES.dsl(db.dataSource());
        int before = dsl.fetchCount(PGQUEUER);
        var e = assertThrows(PayloadException.class, () -> JobQueue.create(TABLES).enqueue(dsl, new NoEntrypoint(1)));
        assertTrue(e.getMessage().contains("NoEntrypoint"), e.getMessage());
        assertEquals(before, dsl.fetchCount(PGQUEUER));
    }
}
