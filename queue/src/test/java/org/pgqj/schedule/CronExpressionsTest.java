package org.pgqj.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

// What pgqueuer stores, researched in the sources (read through the code index):
//
// - pgqueuer: core/sm.py @07e22e5e (SchedulerManager.schedule) validates with
//   croniter.is_valid(expression), then stores helpers.normalize_cron_expression(expression), which is
//   " ".join(croniter(expression).expressions) (core/helpers.py @e3f4a651). No hash_id, no
//   second_at_beginning are passed.
// - croniter: pallets-eco/croniter src/croniter/croniter.py @77bcea04 (6.x; CHANGELOG @06f89da9 lists
//   6.2.1 as newest, whose changes - W support, strict=, cache removal - do not touch `expressions`).
//   In _expand: efl = expr_format.lower(); if efl is exactly one of the aliases (no trimming) it is
//   replaced: @midnight and @daily -> "0 0 * * *", @hourly -> "0 * * * *", @weekly -> "0 0 * * 0",
//   @monthly -> "0 0 1 * *", @yearly and @annually -> "0 0 1 1 *". Then expressions = efl.split()
//   (Python whitespace, runs collapsed, ends trimmed), and `croniter.expressions` is that list.
//   The per-field expansion (names -> numbers, 7 -> 0 in the weekday field, */5 -> 0-59/5, '?' -> '*')
//   only changes `expanded`, a separate list; the stored text keeps names (lower-cased), steps,
//   ranges, lists, '?', '7' and leading zeros exactly as written.
// - Field counts: 5 (minute hour day month weekday), 6 (+ SECONDS, sixth, i.e. at the END), 7 (+ seconds,
//   + year 1970-2099). In 6/7-field forms value_alias does not map weekday 7 -> 0, so 7 is out of range
//   there; it does map day 0 -> 1 in the 6-field form (a quirk the Java side does not copy: it rejects
//   day 0). A range "a-a" expands to the whole field, and "fri-mon" wraps around.
// - is_valid only expands; "0 0 30 2 *" is valid to croniter but get_next() raises for ever after.
class CronExpressionsTest {

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            */5 * * * *|*/5 * * * *
            @hourly|0 * * * *
            @daily|0 0 * * *
            @midnight|0 0 * * *
            @weekly|0 0 * * 0
            @monthly|0 0 1 * *
            @yearly|0 0 1 1 *
            @annually|0 0 1 1 *
            @DAILY|0 0 * * *
            0 9 * * MON|0 9 * * mon
            0 9 * * Mon-Fri|0 9 * * mon-fri
            0 0 1 JAN *|0 0 1 jan *
            0 0 1 jan,Jul *|0 0 1 jan,jul *
              */5   *  * *	*  |*/5 * * * *
            0 0 * * 7|0 0 * * 7
            0-30/10 8-18 * * 1-5|0-30/10 8-18 * * 1-5
            5,10,15 * * * *|5,10,15 * * * *
            10/5 * * * *|10/5 * * * *
            00 05 * * *|00 05 * * *
            0 0 ? * mon|0 0 ? * mon
            0 0 1 * ?|0 0 1 * ?
            0 9 * * SAT,sun|0 9 * * sat,sun
            0 0 * Jan-Mar/2 *|0 0 * jan-mar/2 *
            * * * * * *|* * * * * *
            * * * * * */15|* * * * * */15
            0 12 * * * 30|0 12 * * * 30
            0 0 1 1 * 0 2099|0 0 1 1 * 0 2099
            """)
    void storesWhatCroniterPrints(String expression, String stored) {
        assertEquals(stored, CronExpressions.normalize(expression));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
            "",
            "* * * *",
            "* * * * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * 32 * *",
            "* * * 13 *",
            "* * * * 8",
            "a * * * *",
            "mon * * * *",
            "* * * janu *",
            "-1 * * * *",
            "*/0 * * * *",
            "? * * * *",
            "0 0 1? * *",
            "@reboot",
            " @daily",            // croniter only knows the alias without surrounding spaces
            "0 0 * * 7 0",        // weekday 7 is out of range in croniter's 6-field form
            "0 0 30 2 *",         // valid to croniter but never fires
            "0 0 1 1 * 0 1999",   // only in the past
            // croniter features the Java scheduler cannot evaluate the same way: rejected, not approximated
            "0 0 l * *",
            "0 0 28-L * *",
            "0 0 15w * *",
            "0 0 * * 5#2",
            "0 0 * * l5",
            "h * * * *",
            "5-5 * * * *",
            "0 0 * * fri-mon",
    })
    void rejectsAndNamesTheExpression(String expression) {
        InvalidCronExpressionException e = assertThrows(InvalidCronExpressionException.class,
                () -> CronExpressions.normalize(expression));
        assertTrue(e.getMessage().contains("'" + expression + "'"), e.getMessage());
        assertEquals(expression, e.expression());
    }

    @Test
    void nextRunsAreUtcAndCountSecondsLast() {
        Instant now = Instant.parse("2024-05-02T12:00:00.300Z");
        assertEquals(Instant.parse("2024-05-02T12:00:01Z"),
                CronExpressions.parse("* * * * * *").nextAfter(now).orElseThrow());
        assertEquals(Instant.parse("2024-05-02T12:00:30Z"),
                CronExpressions.parse("0 12 * * * 30").nextAfter(now).orElseThrow());
        assertEquals(Instant.parse("2024-05-03T00:00:00Z"),
                CronExpressions.parse("@daily").nextAfter(now).orElseThrow());
        // croniter ORs day-of-month and weekday when both are restricted: Monday 6 May before 1 June.
        assertEquals(Instant.parse("2024-05-06T00:00:00Z"),
                CronExpressions.parse("0 0 1 * mon").nextAfter(now).orElseThrow());
        assertEquals(Instant.parse("2024-05-05T09:00:00Z"),
                CronExpressions.parse("0 9 * * 7").nextAfter(now).orElseThrow());
        assertEquals(Instant.parse("2024-05-03T00:00:00Z"),
                CronExpressions.parse("0 0 * * mon-fri/2").nextAfter(now).orElseThrow());
        assertEquals(Instant.parse("2099-01-01T00:00:00Z"),
                CronExpressions.parse("0 0 1 1 * 0 2099").nextAfter(now).orElseThrow());
    }
}
