package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which held jobs (status {@code failed}) a bulk action of {@link QueueAdmin} touches: all of them, or those of one
 * entrypoint, of one exception type, held within a span of time. Built from {@link #all()} by the {@code with}
 * methods, each returning a new filter.
 *
 * <p>A held job's exception type is {@code exception_type} of the traceback on its newest {@code failed} log row
 * (the row written when it was held), {@code ""} when it has none; when it was held is its row's {@code updated}
 * (set by the hold and not changed while it stays held).
 *
 * @param entrypoint    only jobs of this entrypoint
 * @param exceptionType only jobs held with this exception type ({@code ""}: held without a traceback)
 * @param heldAfter     only jobs held after this instant
 * @param heldBefore    only jobs held at or before this instant
 */
public record HeldJobFilter(Optional<String> entrypoint, Optional<String> exceptionType, Optional<Instant> heldAfter,
                            Optional<Instant> heldBefore) {

    /** Validates. */
    public HeldJobFilter {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(exceptionType, "exceptionType");
        Objects.requireNonNull(heldAfter, "heldAfter");
        Objects.requireNonNull(heldBefore, "heldBefore");
        if (heldAfter.isPresent() && heldBefore.isPresent() && !heldAfter.get().isBefore(heldBefore.get())) {
            throw new IllegalArgumentException("heldAfter " + heldAfter.get() + " must be before heldBefore "
                    + heldBefore.get() + ", or no job matches");
        }
    }

    /** Every held job. */
    public static HeldJobFilter all() {
        return new HeldJobFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Only jobs of {@code name}. */
    public HeldJobFilter withEntrypoint(String name) {
        return new HeldJobFilter(Optional.of(Objects.requireNonNull(name, "entrypoint")), exceptionType, heldAfter,
                heldBefore);
    }

    /** Only jobs held with exception type {@code type} (as the traceback names it; {@code ""}: no traceback). */
    public HeldJobFilter withExceptionType(String type) {
        return new HeldJobFilter(entrypoint, Optional.of(Objects.requireNonNull(type, "exceptionType")), heldAfter,
                heldBefore);
    }

    /** Only jobs held after {@code t}. */
    public HeldJobFilter withHeldAfter(Instant t) {
        return new HeldJobFilter(entrypoint, exceptionType, Optional.of(Objects.requireNonNull(t, "heldAfter")),
                heldBefore);
    }

    /** Only jobs held at or before {@code t}. */
    public HeldJobFilter withHeldBefore(Instant t) {
        return new HeldJobFilter(entrypoint, exceptionType, heldAfter,
                Optional.of(Objects.requireNonNull(t, "heldBefore")));
    }
}
