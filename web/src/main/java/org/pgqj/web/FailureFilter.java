package org.pgqj.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.pgqj.admin.HeldJobFilter;

/**
 * The failures page's filter over held jobs, read from request parameters: entrypoint, exception type, and how
 * long ago the job was held (at least {@code age} ago, at most {@code within} ago), plus the keyset cursor of the
 * list. The same parameters travel through the confirmation page to a bulk action, where they become a
 * {@link HeldJobFilter}.
 *
 * @param entrypoint    exact entrypoint name
 * @param exceptionType exact exception type; {@link #NO_TRACEBACK} for jobs held without a traceback
 * @param olderThan     held at least this long ago
 * @param within        held at most this long ago
 * @param before        keyset cursor: ids below this one (the next, older page)
 */
record FailureFilter(Optional<String> entrypoint, Optional<String> exceptionType, Optional<Duration> olderThan,
                     Optional<Duration> within, Optional<Long> before) {

    /** How the page names (and links) the jobs held without a traceback. */
    static final String NO_TRACEBACK = "(none)";

    /**
     * Reads the filter from {@code param} (a request's parameter lookup, null when absent).
     *
     * @throws IllegalArgumentException naming the bad parameter and what it accepts
     */
    static FailureFilter parse(Function<String, String> param) {
        Optional<Duration> age = text(param.apply("age")).map(JobFilter::age);
        Optional<Duration> within = text(param.apply("within")).map(JobFilter::age);
        if (age.isPresent() && within.isPresent() && age.get().compareTo(within.get()) >= 0) {
            throw new IllegalArgumentException("held more than " + JobFilter.ageText(age.get()) + " and less than "
                    + JobFilter.ageText(within.get()) + " ago matches nothing: the first must be the shorter span");
        }
        Optional<Long> before = text(param.apply("before")).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("before must be a whole number (got '" + v + "')");
            }
        });
        return new FailureFilter(text(param.apply("entrypoint")), text(param.apply("exception")), age, within, before);
    }

    static FailureFilter none() {
        return new FailureFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The exception type as {@link HeldJobFilter} and the index spell it ({@code ""}: no traceback). */
    Optional<String> exceptionTypeValue() {
        return exceptionType.map(t -> t.equals(NO_TRACEBACK) ? "" : t);
    }

    /** The filter with its spans turned into instants before {@code now}, to test many held jobs against. */
    Matcher at(Instant now) {
        return new Matcher(entrypoint.orElse(null), exceptionTypeValue().orElse(null),
                olderThan.map(now::minus).orElse(null), within.map(now::minus).orElse(null));
    }

    /** {@link FailureFilter} at one instant; null fields match everything. */
    record Matcher(String entrypoint, String exceptionType, Instant heldAtOrBefore, Instant heldAfter) {
        /** Whether a held job matches, ignoring the exception type (what the groups are counted over). */
        boolean matchesAllButType(String jobEntrypoint, Instant heldSince) {
            return (entrypoint == null || entrypoint.equals(jobEntrypoint))
                    && (heldAtOrBefore == null || !heldSince.isAfter(heldAtOrBefore))
                    && (heldAfter == null || heldSince.isAfter(heldAfter));
        }

        /** Whether a held job matches. */
        boolean matches(String jobEntrypoint, String jobExceptionType, Instant heldSince) {
            return matchesAllButType(jobEntrypoint, heldSince)
                    && (exceptionType == null || exceptionType.equals(jobExceptionType));
        }
    }

    /** The jobs a bulk action confirmed at {@code asOf} touches: these filters, held at or before {@code asOf}. */
    HeldJobFilter toHeldJobFilter(Instant asOf) {
        HeldJobFilter f = HeldJobFilter.all().withHeldBefore(olderThan.map(asOf::minus).orElse(asOf));
        if (entrypoint.isPresent()) {
            f = f.withEntrypoint(entrypoint.get());
        }
        if (exceptionTypeValue().isPresent()) {
            f = f.withExceptionType(exceptionTypeValue().get());
        }
        if (within.isPresent()) {
            f = f.withHeldAfter(asOf.minus(within.get()));
        }
        return f;
    }

    /** True when any field narrows the held jobs. */
    boolean narrows() {
        return entrypoint.isPresent() || exceptionType.isPresent() || olderThan.isPresent() || within.isPresent();
    }

    /** The filter (without cursor) as request parameters, in a stable order. */
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        entrypoint.ifPresent(v -> p.put("entrypoint", v));
        exceptionType.ifPresent(v -> p.put("exception", v));
        olderThan.ifPresent(v -> p.put("age", JobFilter.ageText(v)));
        within.ifPresent(v -> p.put("within", JobFilter.ageText(v)));
        return p;
    }

    /** The same filter with only the exception type changed (a group's link). */
    FailureFilter withExceptionType(String type) {
        return new FailureFilter(entrypoint, Optional.of(type.isEmpty() ? NO_TRACEBACK : type), olderThan, within,
                Optional.empty());
    }

    /** A query string of the filter plus {@code extra} name, value pairs, URL-encoded, starting with '?'. */
    String query(String... extra) {
        List<String> parts = new ArrayList<>();
        parameters().forEach((k, v) -> parts.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            parts.add(extra[i] + "=" + URLEncoder.encode(extra[i + 1], StandardCharsets.UTF_8));
        }
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    /** What the filter selects, in words, for the confirmation page. */
    String describe() {
        List<String> parts = new ArrayList<>();
        entrypoint.ifPresent(v -> parts.add("entrypoint " + v));
        exceptionType.ifPresent(v -> parts.add(v.equals(NO_TRACEBACK) ? "held without a traceback" : "exception " + v));
        olderThan.ifPresent(v -> parts.add("held more than " + JobFilter.ageText(v) + " ago"));
        within.ifPresent(v -> parts.add("held within the last " + JobFilter.ageText(v)));
        return parts.isEmpty() ? "every held job" : String.join(", ", parts);
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
