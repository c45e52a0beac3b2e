package org.pgqj.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.HeldJobFilter;

/** How values are read from requests and shown: filters, payloads, spans. */
class ValuesTest {

    @Test
    void payloadIsPrettyJsonWhenItIsJsonAndHexOtherwise() {
        Payloads.Shown json = Payloads.show(Optional.of("{\"a\":[1,2]}".getBytes(UTF_8)));
        assertEquals("json", json.kind());
        assertEquals("{\n  \"a\" : [ 1, 2 ]\n}", json.text());
        Payloads.Shown notJson = Payloads.show(Optional.of("hello world".getBytes(UTF_8)));
        assertEquals("hex", notJson.kind());
        assertEquals("00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64" + " ".repeat(17) + "|hello world|\n", notJson.text());
        assertEquals("hex", Payloads.show(Optional.of(new byte[] {'{', (byte) 0xc3, '}'})).kind(), "invalid UTF-8 is not JSON");
        assertEquals("none", Payloads.show(Optional.empty()).kind());
        Payloads.Shown big = Payloads.show(Optional.of(new byte[Payloads.SHOWN_BYTES + 1]));
        assertEquals("hex", big.kind());
        assertEquals(Payloads.SHOWN_BYTES / 16, big.text().lines().count());
        assertEquals(true, big.cut());
    }

    @Test
    void filterReadsValidatedValuesAndNamesTheBadOne() {
        Map<String, String> p = new HashMap<>(Map.of("entrypoint", " send_email ", "status", "Queued", "priority", "-2",
                "age", "90m", "before", "1234"));
        JobFilter f = JobFilter.parse(p::get);
        assertEquals(Optional.of("send_email"), f.entrypoint());
        assertEquals(Optional.of("queued"), f.status());
        assertEquals(Optional.of(-2), f.priority());
        assertEquals(Optional.of(Duration.ofMinutes(90)), f.olderThan());
        assertEquals("?entrypoint=send_email&status=queued&priority=-2&age=90m&before=77", f.query("before", 77));
        assertEquals("?entrypoint=a+%26+b&after=5", JobFilter.parse(Map.of("entrypoint", "a & b")::get).query("after", 5));
        assertEquals("status must be one of [queued, due, scheduled, picked, failed] (got 'done')",
                assertThrows(IllegalArgumentException.class, () -> JobFilter.parse(Map.of("status", "done")::get)).getMessage());
        assertEquals("priority must be a whole number (got '1 OR 1=1')",
                assertThrows(IllegalArgumentException.class, () -> JobFilter.parse(Map.of("priority", "1 OR 1=1")::get)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> JobFilter.parse(Map.of("before", "1", "after", "2")::get));
        assertThrows(IllegalArgumentException.class, () -> JobFilter.age("5 weeks"));
        assertFalse(JobFilter.none().entrypoint().isPresent());
    }

    @Test
    void failureFilterBecomesTheBulkActionsFilterBoundToTheConfirmedInstant() {
        FailureFilter f = FailureFilter.parse(Map.of("entrypoint", "mail", "exception", "(none)", "age", "30m",
                "within", "2h")::get);
        assertEquals(Optional.of(""), f.exceptionTypeValue(), "(none): held without a traceback");
        assertEquals("?entrypoint=mail&exception=%28none%29&age=30m&within=2h&action=cancel", f.query("action", "cancel"));
        assertEquals("entrypoint mail, held without a traceback, held more than 30m ago, held within the last 2h", f.describe());
        Instant asOf = Instant.parse("2026-12-07T12:00:00Z");
        HeldJobFilter h = f.toHeldJobFilter(asOf);
        assertEquals(Optional.of("mail"), h.entrypoint());
        assertEquals(Optional.of(""), h.exceptionType());
        assertEquals(Optional.of(Instant.parse("2026-12-07T11:30:00Z")), h.heldBefore());
        assertEquals(Optional.of(Instant.parse("2026-12-07T10:00:00Z")), h.heldAfter());
        assertEquals(Optional.of(asOf), FailureFilter.none().toHeldJobFilter(asOf).heldBefore(),
                "never a job held after the count was shown");
        FailureFilter.Matcher m = f.at(Instant.parse("2026-12-07T12:00:00Z"));
        assertTrue(m.matches("mail", "", Instant.parse("2026-12-07T11:00:00Z")));
        assertFalse(m.matches("mail", "", Instant.parse("2026-12-07T11:45:00Z")), "held 15 minutes ago");
        assertFalse(m.matches("mail", "", Instant.parse("2026-12-07T09:45:00Z")), "held more than 2 hours ago");
        assertFalse(m.matches("sms", "", Instant.parse("2026-12-07T11:00:00Z")));
        assertFalse(m.matches("mail", "ValueError", Instant.parse("2026-12-07T11:00:00Z")));
        assertTrue(m.matchesAllButType("mail", Instant.parse("2026-12-07T11:00:00Z")));
        assertEquals("held more than 2h and less than 30m ago matches nothing: the first must be the shorter span",
                assertThrows(IllegalArgumentException.class, () -> FailureFilter.parse(Map.of("age", "2h", "within", "30m")::get))
                        .getMessage());
    }

    @Test
    void spansReadInTheirTwoLargestUnits() {
        assertEquals("42 s", Format.duration(Duration.ofSeconds(42)));
        assertEquals("3 min 5 s", Format.duration(Duration.ofSeconds(185)));
        assertEquals("2 h 5 min", Format.duration(Duration.ofMinutes(125)));
        assertEquals("4 d 1 h", Format.duration(Duration.ofHours(97)));
        assertEquals("in 30 s", Format.duration(Duration.ofSeconds(-30)));
    }

    @Test
    void credentialsNeverShowThePassword() {
        assertEquals("Credentials[user=ops, password=***]", new Dashboard.Credentials("ops", "secret").toString());
        assertThrows(IllegalArgumentException.class, () -> new Dashboard.Credentials("a:b", "pw"));
        assertThrows(IllegalArgumentException.class, () -> new Dashboard.Credentials("ops", ""));
    }
}
