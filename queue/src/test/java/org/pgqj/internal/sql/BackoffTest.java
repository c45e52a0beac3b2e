package org.pgqj.internal.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The waits of every retry loop, and the one connection-limit ERROR per outage. */
class BackoffTest {

    @Test
    void waitsDoubleUpToTheCapAndStartOverAfterASuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        List<Long> waits = Stream.generate(backoff::failed).limit(6).map(Duration::toMillis).toList();
        assertEquals(List.of(200L, 400L, 800L, 1000L, 1000L, 1000L), waits);
        assertEquals(6, backoff.failures());
        assertEquals(6, backoff.succeeded(), "the success reports the failures before it");
        assertEquals(0, backoff.failures());
        assertEquals(Duration.ofMillis(200), backoff.failed(), "after a success the first wait again");
    }

    @Test
    void aConnectionLimitRefusalIsReportedOncePerRunOfFailures() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        SQLException full = new SQLException("sorry, too many clients already", "53300");
        RuntimeException wrapped = new RuntimeException("claim failed", full);
        assertFalse(backoff.firstRefusal(new RuntimeException("connection reset")), "not a refusal");
        assertTrue(backoff.firstRefusal(wrapped), "the first refusal, found among the causes");
        assertFalse(backoff.firstRefusal(wrapped), "the same outage: reported already");
        backoff.succeeded();
        assertTrue(backoff.firstRefusal(full), "a new outage after a success is reported again");
        String line = ConnectionErrors.refusal("Worker w cannot claim", "claim", wrapped);
        assertTrue(line.startsWith("Worker w cannot claim: the server refuses its claim connection (sorry, too many "
                + "clients already). Its max_connections is used up"), line);
    }

    @Test
    void refusesAFirstWaitAboveItsCap() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
