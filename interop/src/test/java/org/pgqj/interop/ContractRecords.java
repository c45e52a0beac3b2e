package org.pgqj.interop;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.pgqj.payload.Entrypoint;
import org.pgqj.payload.PayloadCodec;

/**
 * The Java side of the payload contract tests: a record with every mapped type (written snake_case, as a shared
 * Python/Java payload usually is), the codec that writes it, and the canonical values both languages compare.
 * Its schema is committed as the Python helper's test fixture ({@code python/pgqj-contract/tests/schemas}).
 */
final class ContractRecords {

    private ContractRecords() {
    }

    /** The codec of the test's workers and of the export: snake_case names, as Python writes them. */
    public static PayloadCodec codec() {
        return CODEC;
    }

    static final PayloadCodec CODEC = PayloadCodec.using(PayloadCodec.defaultObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));

    enum Audience { PUBLIC, SUBSCRIBERS }

    record Author(String name, Optional<String> email) { }

    record Section(String heading, List<Section> children) { }

    @Entrypoint("article_published")
    record ArticlePublished(long articleId, UUID requestId, Instant publishedAt, OffsetDateTime embargoUntil,
                            LocalDate issueDate, BigDecimal price, Audience audience, Optional<String> note,
                            Optional<Integer> wordCount, Author author, List<String> tags, Map<String, Long> counters,
                            Section outline, boolean featured, double score) { }

    /** Java-made values at the edges of each mapping rule. */
    static ArticlePublished sample(int i) {
        ZoneOffset[] offsets = {ZoneOffset.UTC, ZoneOffset.ofHoursMinutes(5, 30), ZoneOffset.ofHours(-3)};
        String[] prices = {"12.50", "-0.001", "12345678901234567890.123456789", "0", "1E+2"};
        return new ArticlePublished(new long[] {42, 9_007_199_254_740_993L, Long.MIN_VALUE, Long.MAX_VALUE}[i % 4],
                UUID.nameUUIDFromBytes(("r" + i).getBytes()),
                Instant.parse("2026-11-25T06:00:00Z").plus(i, ChronoUnit.DAYS).plusNanos(i % 2 == 0 ? 123_456_000 : 0),
                OffsetDateTime.of(2026, 12, 1, 8, 30, 15, 0, offsets[i % 3]),
                LocalDate.of(2028, 2, 28).plusDays(i), new BigDecimal(prices[i % prices.length]),
                Audience.values()[i % 2], i % 2 == 0 ? Optional.of("note " + i + ": bl\u00e5b\u00e6r \"quoted\"") : Optional.empty(),
                i % 3 == 0 ? Optional.empty() : Optional.of(1200 + i),
                new Author("Author " + i, i % 2 == 0 ? Optional.of("a" + i + "@example.com") : Optional.empty()),
                List.of("t0", "t1").subList(0, i % 3 == 2 ? 2 : i % 3), Map.of("views", 10L * i, "shares", (long) i),
                new Section("root", List.of(new Section("s0", List.of(new Section("leaf", List.of()))))),
                i % 2 == 0, new double[] {0.1, 1e-7, 2.5, 1e21}[i % 4]);
    }

    /** The values contract_producer.py's canonical() gives for the same article. */
    static ObjectNode canonical(ArticlePublished a) {
        ObjectNode n = Interop.JSON.createObjectNode();
        n.put("article_id", a.articleId());
        n.put("request_id", a.requestId().toString());
        n.put("published_at_us", ChronoUnit.MICROS.between(Instant.EPOCH, a.publishedAt()));
        n.put("embargo_until_us", ChronoUnit.MICROS.between(Instant.EPOCH, a.embargoUntil().toInstant()));
        n.put("issue_date", a.issueDate().toString());
        n.put("price", a.price().signum() == 0 ? "0" : a.price().stripTrailingZeros().toPlainString());
        n.put("audience", a.audience().name());
        n.put("note", a.note().orElse(null));
        if (a.wordCount().isPresent()) {
            n.put("word_count", a.wordCount().get());
        } else {
            n.putNull("word_count");
        }
        n.putObject("author").put("name", a.author().name()).put("email", a.author().email().orElse(null));
        a.tags().forEach(n.putArray("tags")::add);
        ObjectNode counters = n.putObject("counters");
        a.counters().forEach(counters::put);
        n.set("outline", section(a.outline()));
        n.put("featured", a.featured());
        n.put("score", a.score());
        return n;
    }

    private static ObjectNode section(Section s) {
        ObjectNode n = Interop.JSON.createObjectNode().put("heading", s.heading());
        var children = n.putArray("children");
        s.children().forEach(c -> children.add(section(c)));
        return n;
    }
}
