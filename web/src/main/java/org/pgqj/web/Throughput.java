package org.pgqj.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Jobs finished per minute and per entrypoint over the last {@link #MINUTES} minutes, failures (exception and
 * held) as a series of their own so a handful stays visible beside thousands of successes. The page draws it
 * from {@link #json()}, first from the page itself, then from every live update.
 *
 * @param first  the first minute
 * @param series one per entrypoint, by name
 * @param at     when it was read (database clock)
 */
record Throughput(Instant first, List<Series> series, Instant at) {

    /** How many minutes the chart spans. */
    static final int MINUTES = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One entrypoint's counts, minute by minute.
     *
     * @param finished every job that finished (successful, exception, held, canceled, deleted)
     * @param failures those that failed (exception, held)
     */
    record Series(String entrypoint, long[] finished, long[] failures) {
        long totalFinished() {
            return Arrays.stream(finished).sum();
        }

        long totalFailures() {
            return Arrays.stream(failures).sum();
        }
    }

    long totalFinished() {
        return series.stream().mapToLong(Series::totalFinished).sum();
    }

    long totalFailures() {
        return series.stream().mapToLong(Series::totalFailures).sum();
    }

    /** One line of JSON (so it is one server-sent event data field): first minute, minutes, series. */
    String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("first", first.toEpochMilli());
        root.put("minutes", MINUTES);
        root.put("at", at.toString());
        ArrayNode list = root.putArray("series");
        for (Series s : series) {
            ObjectNode o = list.addObject().put("entrypoint", s.entrypoint());
            ArrayNode f = o.putArray("finished");
            Arrays.stream(s.finished()).forEach(f::add);
            ArrayNode x = o.putArray("failures");
            Arrays.stream(s.failures()).forEach(x::add);
        }
        return root.toString();
    }
}
