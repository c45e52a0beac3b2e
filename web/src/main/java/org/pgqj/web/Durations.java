package org.pgqj.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Handler duration (picked to finished) and queue wait (queued to picked) per entrypoint, p50 / p95 / p99, from
 * the log rows of the newest finished jobs of a window, and their chart: one range per entrypoint and measure
 * on a log scale, so milliseconds and minutes fit one axis.
 *
 * @param window  the window chosen
 * @param limit   at most this many finished jobs are sampled (the newest)
 * @param sampled how many were
 * @param since   when the oldest sampled job finished (the sample's real span when it hit the limit)
 * @param rows    one per entrypoint, by name
 */
record Durations(Duration window, int limit, long sampled, Optional<Instant> since, List<Row> rows) {

    /** The windows offered. */
    static final List<String> WINDOWS = List.of("5m", "15m", "1h", "6h", "1d", "7d");
    static final int WIDTH = 760;
    static final int LABELS = 170;
    static final int ROW = 34;
    private static final int TOP = 22;

    /**
     * One entrypoint. Times in seconds; a wait is known for a job whose queued log row precedes its pick.
     */
    record Row(String entrypoint, long jobs, double p50, double p95, double p99, double max, long waits, double w50,
               double w95, double w99) {
    }

    /** A range drawn: x of p50, p95, p99, and its y. */
    record Range(String kind, int y, int x50, int x95, int x99, String title) {
    }

    /** A grid line of the axis and its label. */
    record Tick(int x, String label) {
    }

    String windowText() {
        return JobFilter.ageText(window);
    }

    int height() {
        return TOP + rows.size() * ROW + 8;
    }

    /** The ranges to draw: handler duration above, queue wait below, per entrypoint. */
    List<Range> ranges() {
        List<Range> out = new ArrayList<>();
        Axis axis = axis();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int y = TOP + i * ROW;
            out.add(new Range("run", y + 9, axis.x(r.p50()), axis.x(r.p95()), axis.x(r.p99()), r.entrypoint()
                    + " handler: p50 " + seconds(r.p50()) + ", p95 " + seconds(r.p95()) + ", p99 " + seconds(r.p99())
                    + " (" + r.jobs() + " jobs)"));
            if (r.waits() > 0) {
                out.add(new Range("wait", y + 21, axis.x(r.w50()), axis.x(r.w95()), axis.x(r.w99()), r.entrypoint()
                        + " queue wait: p50 " + seconds(r.w50()) + ", p95 " + seconds(r.w95()) + ", p99 "
                        + seconds(r.w99()) + " (" + r.waits() + " jobs)"));
            }
        }
        return out;
    }

    /** The y of an entrypoint's label. */
    int labelY(int index) {
        return TOP + index * ROW + 19;
    }

    /** Decades from 1 ms up to the largest p99. */
    List<Tick> ticks() {
        Axis axis = axis();
        List<Tick> out = new ArrayList<>();
        for (double t = axis.min(); t <= axis.max() * 1.0001; t *= 10) {
            out.add(new Tick(axis.x(t), t < 1 ? Math.round(t * 1000) + " ms" : Math.round(t) + " s"));
        }
        return out;
    }

    /** Seconds as the page writes them: "3 ms", "250 ms", "1.2 s", "4 min 5 s". */
    static String seconds(double s) {
        if (s < 1) {
            return Math.round(s * 1000) + " ms";
        }
        if (s < 10) {
            return String.format(java.util.Locale.ROOT, "%.1f s", s);
        }
        return Format.duration(Duration.ofSeconds(Math.round(s)));
    }

    private Axis axis() {
        double top = rows.stream().mapToDouble(r -> Math.max(r.p99(), r.w99())).max().orElse(1);
        double max = 0.001;
        while (max < top) {
            max *= 10;
        }
        return new Axis(0.001, Math.max(max, 1));
    }

    private record Axis(double min, double max) {
        int x(double seconds) {
            double v = Math.max(min, Math.min(max, seconds));
            double share = Math.log10(v / min) / Math.log10(max / min);
            return LABELS + (int) Math.round(share * (WIDTH - LABELS - 20));
        }
    }
}
