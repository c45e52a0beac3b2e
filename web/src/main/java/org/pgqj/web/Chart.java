package org.pgqj.web;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview's throughput chart, drawn as SVG on the server (no chart library, no script): one stacked bar
 * per minute of the last hour from pgqueuer_statistics, finished jobs only.
 */
record Chart(int width, int height, long max, long total, List<Bar> bars, List<Label> labels) {

    static final int WIDTH = 720;
    static final int HEIGHT = 160;
    private static final int TOP = 10;
    private static final int BOTTOM = 20;

    /** One rectangle; {@code kind} is its CSS class (ok, bad, other). */
    record Bar(int x, int y, int w, int h, String kind, String title) {
    }

    /** Text under the axis. */
    record Label(int x, String text) {
    }

    /** Jobs finished in one minute, by outcome. */
    record Minute(Instant start, long successful, long failed, long other) {
        long total() {
            return successful + failed + other;
        }
    }

    /** The chart of these minutes, oldest first. */
    static Chart of(List<Minute> minutes) {
        long max = Math.max(1, minutes.stream().mapToLong(Minute::total).max().orElse(0));
        long total = minutes.stream().mapToLong(Minute::total).sum();
        int n = Math.max(1, minutes.size());
        int slot = WIDTH / n;
        int plot = HEIGHT - TOP - BOTTOM;
        List<Bar> bars = new ArrayList<>();
        List<Label> labels = new ArrayList<>();
        for (int i = 0; i < minutes.size(); i++) {
            Minute m = minutes.get(i);
            int x = i * slot + 1;
            int base = HEIGHT - BOTTOM;
            String when = Format.instant(m.start()).substring(11, 16) + " UTC";
            for (var part : List.of(new Object[] {m.successful(), "ok", "successful"},
                    new Object[] {m.failed(), "bad", "exception/failed"}, new Object[] {m.other(), "other", "canceled/deleted"})) {
                long count = (Long) part[0];
                if (count == 0) {
                    continue;
                }
                int h = (int) Math.max(1, Math.round(plot * (double) count / max));
                base -= h;
                bars.add(new Bar(x, base, Math.max(1, slot - 2), h, (String) part[1],
                        when + ": " + count + " " + part[2]));
            }
            if (i % 15 == 0) {
                labels.add(new Label(x, when.substring(0, 5)));
            }
        }
        return new Chart(WIDTH, HEIGHT, max, total, bars, labels);
    }
}
