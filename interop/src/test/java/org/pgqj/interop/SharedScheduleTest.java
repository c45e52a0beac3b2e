package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Scheduler;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;

/**
 * A Java Scheduler and a Python SchedulerManager register the same schedule: one row, and each tick runs
 * once, on one side or the other.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(120)
class SharedScheduleTest {

    /** Every 5 seconds, in croniter's 6-field form (seconds last), which both sides accept. */
    static final String EVERY_5_S = "* * * * * */5";
    static final long TICK_MICROS = 5_000_000;

    @Test
    void oneRowAndEachTickRunsOnce(TestDatabase db) throws Exception {
        List<Long> javaRuns = java.util.Collections.synchronizedList(new ArrayList<>());
        List<JsonNode> pythonTicks;
        double seconds = 36; // both for ~21 s, then Python alone on the row Java registered too
        try (Scheduler scheduler = Scheduler.builder(db.dataSource(), QueueTables.defaults())
                .schedule(EVERY_5_S, "shared_tick", ctx -> javaRuns.add(Interop.nowMicros()))
                .build();
             TestProcess py = Interop.startPython(db, "schedule", "--expression", EVERY_5_S, "--entrypoint", "shared_tick",
                     "--seconds", Double.toString(seconds))) {
            scheduler.start();
            Interop.await(py, "ready", 1, Duration.ofSeconds(60));
            Thread.sleep(21_000);
            scheduler.close();
            TestProcess.Result r = py.finish(Duration.ofSeconds((long) seconds + 30));
            assertEquals(0, r.exitCode(), r::toString);
            pythonTicks = Interop.events(r.out()).stream().filter(e -> e.get("event").asText().equals("tick")).toList();
        }
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_schedules"));
        assertEquals(1, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer_schedules WHERE expression = ? AND entrypoint = 'shared_tick'", EVERY_5_S));

        Map<Long, Integer> runsPerTick = new TreeMap<>();
        javaRuns.forEach(t -> runsPerTick.merge(t / TICK_MICROS, 1, Integer::sum));
        pythonTicks.forEach(e -> runsPerTick.merge(e.get("t").asLong() / TICK_MICROS, 1, Integer::sum));
        long twice = runsPerTick.values().stream().filter(n -> n > 1).count();
        Interop.report("SharedScheduleTest.oneRowAndEachTickRunsOnce", "rows=1 ticks=" + runsPerTick.size() + " java_runs="
                + javaRuns.size() + " python_runs=" + pythonTicks.size() + " twice=" + twice);
        assertEquals(0, twice, "ticks run twice: " + runsPerTick);
        assertTrue(runsPerTick.size() >= 4, "too few ticks in " + seconds + " s: " + runsPerTick);
        assertTrue(!javaRuns.isEmpty() && !pythonTicks.isEmpty(), "each side ran the shared row: java " + javaRuns.size()
                + ", python " + pythonTicks.size());
    }
}
