package org.pgqj.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The jobs page's filter and cursor, read from request parameters. Values are validated here and reach SQL
 * only as bound values; a bad value is reported on the page, never guessed.
 *
 * @param entrypoint exact entrypoint name
 * @param status     one of {@link #STATUSES}: a status a queue row can have (queued, picked, failed), or due /
 *                   scheduled (queued and runnable now / queued with {@code execute_after} in the future)
 * @param priority   exact priority
 * @param olderThan  only jobs created at least this long ago
 * @param before     keyset cursor: ids below this one (the next, older page)
 * @param after      keyset cursor: ids above this one (the previous, newer page)
 */
record JobFilter(Optional<String> entrypoint, Optional<String> status, Optional<Integer> priority,
                 Optional<Duration> olderThan, Optional<Long> before, Optional<Long> after) {

    /** Statuses a row of the queue table can have (finished jobs live only in the log), and queued split in two. */
    static final List<String> STATUSES = List.of("queued", "due", "scheduled", "picked", "failed");
    private static final Pattern AGE = Pattern.compile("(\\d{1,6})\\s*([smhd])");

    static JobFilter none() {
        return new JobFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /**
     * Reads the filter from {@code param} (a request's parameter lookup, null when absent).
     *
     * @throws IllegalArgumentException naming the bad parameter and what it accepts
     */
    static JobFilter parse(Function<String, String> param) {
        Optional<String> entrypoint = text(param.apply("entrypoint"));
        Optional<String> status = text(param.apply("status")).map(s -> s.toLowerCase(Locale.ROOT));
        if (status.isPresent() && !STATUSES.contains(status.get())) {
            throw new IllegalArgumentException("status must be one of " + STATUSES + " (got '" + status.get() + "')");
        }
        Optional<Integer> priority = text(param.apply("priority")).map(p -> number(p, "priority", Integer::parseInt));
        Optional<Duration> age = text(param.apply("age")).map(JobFilter::age);
        Optional<Long> before = text(param.apply("before")).map(p -> number(p, "before", Long::parseLong));
        Optional<Long> after = text(param.apply("after")).map(p -> number(p, "after", Long::parseLong));
        if (before.isPresent() && after.isPresent()) {
            throw new IllegalArgumentException("give either before or after, not both");
        }
        return new JobFilter(entrypoint, status, priority, age, before, after);
    }

    /** "30s", "5m", "2h", "1d". */
    static Duration age(String text) {
        Matcher m = AGE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("age must be a number and a unit s, m, h or d, e.g. 5m (got '" + text + "')");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The age as the form shows it back. */
    Optional<String> ageText() {
        return olderThan.map(JobFilter::ageText);
    }

    /** A span in the form {@link #age} reads: "90m" stays "90m", "86400s" becomes "1d". */
    static String ageText(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? d.toDays() + "d"
                : d.toSeconds() % 3600 == 0 ? d.toHours() + "h"
                : d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    /** The same filter with another cursor. */
    JobFilter withCursor(Optional<Long> newBefore, Optional<Long> newAfter) {
        return new JobFilter(entrypoint, status, priority, olderThan, newBefore, newAfter);
    }

    /** The filter (without cursor) as query parameters, in a stable order. */
    Map<String, String> parameters() {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        entrypoint.ifPresent(v -> p.put("entrypoint", v));
        status.ifPresent(v -> p.put("status", v));
        priority.ifPresent(v -> p.put("priority", Integer.toString(v)));
        ageText().ifPresent(v -> p.put("age", v));
        return p;
    }

    /** A jobs-page query string for this filter and one cursor ({@code before} or {@code after}), URL-encoded. */
    String query(String cursorName, long cursor) {
        List<String> parts = new ArrayList<>();
        parameters().forEach((k, v) -> parts.add(k + "=" + java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
        parts.add(cursorName + "=" + cursor);
        return "?" + String.join("&", parts);
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static <T> T number(String text, String name, Function<String, T> parse) {
        try {
            return parse.apply(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number (got '" + text + "')");
        }
    }
}
