package org.pgqj.payload;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The contract a record's codec derives: its JSON Schema, and the check encode and decode run. */
class PayloadContractTest {

    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @interface Nullable { }

    enum Plan { FREE, PRO }

    record Author(String name, Optional<String> email) { }

    record Comment(String text, List<Comment> replies) { }

    @Entrypoint("index_article")
    record IndexArticle(long articleId, UUID requestId, Instant publishedAt, OffsetDateTime local, LocalDate day,
                        BigDecimal price, Plan plan, Optional<String> note, @Nullable String subtitle,
                        List<String> tags, Map<String, Integer> counts, Author author, List<Author> editors,
                        Comment thread, int small, boolean draft, Duration timeout) { }

    @Entrypoint("renamed")
    record Renamed(@JsonProperty("article_id") long articleId) { }

    private final PayloadCodec codec = PayloadCodec.defaults();
    private final ObjectMapper json = new ObjectMapper();

    private static final String VALID = """
            {"articleId": 42, "requestId": "6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d",
             "publishedAt": "2026-11-25T06:00:00.123456Z", "local": "2026-11-25T08:00:00+02:00", "day": "2026-11-25",
             "price": "12.50", "plan": "PRO", "tags": ["a"], "counts": {"x": 1}, "author": {"name": "Ada"},
             "editors": [], "thread": {"text": "t", "replies": [{"text": "r", "replies": []}]}, "small": 7,
             "draft": false, "timeout": 1.5, "extra": "a Python producer may add fields"}""";

    @Test
    void schemaFollowsTheMappingRules() throws Exception {
        JsonNode s = codec.contract(IndexArticle.class).schema();
        assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
        assertEquals("index_article", s.get("x-pgqj-entrypoint").asText());
        assertEquals(IndexArticle.class.getName(), s.get("x-pgqj-java-type").asText());
        JsonNode p = s.get("properties");
        assertEquals("{\"type\":\"integer\",\"minimum\":-9223372036854775808,\"maximum\":9223372036854775807}",
                p.get("articleId").toString());
        assertEquals("uuid", p.get("requestId").get("format").asText());
        assertEquals("date-time", p.get("publishedAt").get("format").asText());
        assertEquals(p.get("publishedAt"), p.get("local"));
        assertEquals("date", p.get("day").get("format").asText());
        assertEquals("[\"number\",\"string\"]", p.get("price").get("type").toString());
        assertEquals("[\"FREE\",\"PRO\"]", p.get("plan").get("enum").toString());
        assertEquals("{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}", p.get("note").toString());
        assertEquals(p.get("note"), p.get("subtitle"));
        assertEquals("{\"type\":\"array\",\"items\":{\"type\":\"string\"}}", p.get("tags").toString());
        assertEquals("integer", p.get("counts").get("additionalProperties").get("type").asText());
        assertEquals("#/$defs/PayloadContractTest.Author", p.get("author").get("$ref").asText());
        assertEquals("#/$defs/PayloadContractTest.Author", p.get("editors").get("items").get("$ref").asText());
        assertEquals("#/$defs/PayloadContractTest.Comment",
                s.get("$defs").get("PayloadContractTest.Comment").get("properties").get("replies").get("items").get("$ref").asText());
        assertEquals("[\"name\"]", s.get("$defs").get("PayloadContractTest.Author").get("required").toString());
        assertEquals(2147483647, p.get("small").get("maximum").asLong());
        assertEquals("boolean", p.get("draft").get("type").asText());
        assertEquals("java.time.Duration: no contract rule for it; any JSON is accepted here",
                p.get("timeout").get("description").asText());
        assertEquals(List.of("$.timeout (java.time.Duration)"), codec.contract(IndexArticle.class).unchecked());
        // every component but the Optional and @Nullable ones is required
        List<String> required = json.convertValue(s.get("required"), json.getTypeFactory().constructCollectionType(List.class, String.class));
        assertEquals(List.of("articleId", "requestId", "publishedAt", "local", "day", "price", "plan", "tags", "counts",
                "author", "editors", "thread", "small", "draft", "timeout"), required);
        assertNull(s.get("additionalProperties"), "unknown keys are allowed: Java ignores them");
    }

    @Test
    void aConformingPayloadDecodesAndExtraKeysAreIgnored() {
        IndexArticle a = codec.decode(VALID.getBytes(UTF_8), IndexArticle.class);
        assertEquals(42, a.articleId());
        assertEquals(new BigDecimal("12.50"), a.price());
        assertEquals(Optional.empty(), a.note());
        assertNull(a.subtitle());
        assertEquals("r", a.thread().replies().get(0).text());
    }

    @Test
    void whatJavaEncodesConformsToItsOwnContract() {
        IndexArticle a = codec.decode(VALID.getBytes(UTF_8), IndexArticle.class);
        byte[] encoded = codec.encode(a);
        assertEquals(List.of(), codec.contract(IndexArticle.class).validate(encoded));
        assertTrue(new String(encoded, UTF_8).contains("\"price\":\"12.50\""), "a decimal travels as a string, digits kept");
        assertEquals(a, codec.decode(encoded, IndexArticle.class));
    }

    @Test
    void decodeNamesEveryFieldThatBreaksTheContract() {
        String drifted = VALID.replace("\"articleId\": 42", "\"article_id\": 42")
                .replace("\"small\": 7", "\"small\": \"7a\"")
                .replace("\"plan\": \"PRO\"", "\"plan\": \"Pro\"")
                .replace("{\"text\": \"r\", \"replies\": []}", "{\"text\": null, \"replies\": []}")
                .replace("\"draft\": false", "\"draft\": \"false\"");
        PayloadException e = assertThrows(PayloadException.class, () -> codec.decode(drifted.getBytes(UTF_8), IndexArticle.class));
        assertEquals(List.of(
                new ContractViolation("$.articleId", "required, missing (the payload has 'article_id': renamed?)"),
                new ContractViolation("$.plan", "expected one of \"FREE\", \"PRO\", got the string \"Pro\""),
                new ContractViolation("$.thread.replies[0].text", "expected a string, got null"),
                new ContractViolation("$.small", "expected an integer (int), got the string \"7a\""),
                new ContractViolation("$.draft", "expected true or false, got the string \"false\"")), e.violations());
        assertTrue(e.getMessage().startsWith("Payload does not match " + IndexArticle.class.getName()
                + " (entrypoint 'index_article'): $.articleId: required, missing"), e.getMessage());
        assertNull(e.getCause(), "the message says it all: no Jackson stack in the traceback");
    }

    @Test
    void numbersAreCheckedByKindAndRange() {
        var contract = codec.contract(IndexArticle.class);
        assertEquals("expected an integer (long), got the number 4.5",
                violation(contract, VALID.replace("\"articleId\": 42", "\"articleId\": 4.5")));
        assertEquals(List.of(), contract.validate(VALID.replace("\"articleId\": 42", "\"articleId\": 42.0").getBytes(UTF_8)),
                "an integral number is an integer, as in JSON Schema");
        assertEquals("expected an integer (int) between -2147483648 and 2147483647, got the number 2147483648",
                violation(contract, VALID.replace("\"small\": 7", "\"small\": 2147483648")));
        assertEquals("expected a decimal number (a JSON number or a numeric string), got the string \"12,50\"",
                violation(contract, VALID.replace("\"12.50\"", "\"12,50\"")));
        assertEquals(List.of(), contract.validate(VALID.replace("\"12.50\"", "12.5").getBytes(UTF_8)));
        assertEquals("expected an ISO-8601 date-time with an offset (2026-01-31T12:00:00Z), got the string \"2026-11-25T06:00:00\"",
                violation(contract, VALID.replace("06:00:00.123456Z", "06:00:00")));
        assertEquals("expected a UUID string (8-4-4-4-12 hex digits), got the string \"42\"",
                violation(contract, VALID.replace("\"6f1c5c1e-8a53-4a9b-9d7e-2f0c7a1b3c4d\"", "\"42\"")));
    }

    @Test
    void aValueThatConformsButDoesNotBindStillNamesItsField() {
        PayloadException e = assertThrows(PayloadException.class,
                () -> codec.decode(VALID.replace("2026-11-25\"", "2026-02-30\"").getBytes(UTF_8), IndexArticle.class));
        assertTrue(e.getMessage().contains(": $.day: "), e.getMessage());
    }

    @Test
    void encodeRefusesANullInARequiredComponent() {
        PayloadException e = assertThrows(PayloadException.class, () -> codec.encode(new Author(null, Optional.empty())));
        assertEquals(List.of(new ContractViolation("$.name", "expected a string, got null")), e.violations());
        assertTrue(e.getMessage().endsWith("(a component that may be null must be Optional or annotated @Nullable)"));
    }

    @Test
    void namesFollowTheMapper() {
        PayloadCodec snake = PayloadCodec.using(PayloadCodec.defaultObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
        JsonNode s = snake.contract(IndexArticle.class).schema();
        assertTrue(s.get("properties").has("article_id"));
        assertTrue(s.get("properties").has("published_at"));
        assertEquals("[\"article_id\"]", codec.contract(Renamed.class).schema().get("required").toString());
        PayloadException e = assertThrows(PayloadException.class,
                () -> codec.decode("{\"articleId\": 1}".getBytes(UTF_8), Renamed.class));
        assertEquals("$.article_id: required, missing (the payload has 'articleId': renamed?)", e.violations().get(0).toString());
    }

    @Test
    void notJsonAndNullStayClearErrors() {
        assertTrue(assertThrows(PayloadException.class, () -> codec.decode("{no".getBytes(UTF_8), Author.class))
                .getMessage().contains("not JSON"));
        assertTrue(assertThrows(PayloadException.class, () -> codec.decode("null".getBytes(UTF_8), Author.class))
                .getMessage().contains("JSON null"));
        assertFalse(codec.contract(Author.class).entrypoint().isPresent());
    }

    /** Written as a string through @JsonValue: not an object, so not checked as one. */
    record Money(String text) {
        @com.fasterxml.jackson.annotation.JsonCreator
        static Money of(String text) {
            return new Money(text);
        }

        @com.fasterxml.jackson.annotation.JsonValue
        String json() {
            return text;
        }
    }

    @Entrypoint("charge")
    record Charge(Money amount, Instant at) { }

    @Test
    void whatTheMapperWritesItsOwnWayIsLeftUnchecked() {
        assertEquals(List.of("$.amount (" + Money.class.getName() + ")"), codec.contract(Charge.class).unchecked());
        byte[] json = codec.encode(new Charge(new Money("12 EUR"), Instant.parse("2026-01-31T12:00:00Z")));
        assertTrue(new String(json, UTF_8).contains("\"amount\":\"12 EUR\""));
        PayloadCodec timestamps = PayloadCodec.using(PayloadCodec.defaultObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));
        assertEquals(2, timestamps.contract(Charge.class).unchecked().size());
        Charge back = timestamps.decode(timestamps.encode(new Charge(new Money("1 EUR"), Instant.EPOCH)), Charge.class);
        assertEquals(Instant.EPOCH, back.at());
    }

    private static String violation(PayloadContract contract, String payload) {
        List<ContractViolation> v = contract.validate(payload.getBytes(UTF_8));
        assertEquals(1, v.size(), v::toString);
        return v.get(0).problem();
    }
}
