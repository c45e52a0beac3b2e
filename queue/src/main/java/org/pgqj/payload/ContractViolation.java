package org.pgqj.payload;

import java.util.Objects;

/**
 * One way a JSON payload breaks its record's contract.
 *
 * @param path    where, as a JSONPath from the payload's root: {@code $.article_id}, {@code $.tags[2]}
 * @param problem what is wrong there, e.g. {@code required, missing} or
 *                {@code expected an integer (long), got the string "a-42"}
 */
public record ContractViolation(String path, String problem) {

    /** Checks for nulls. */
    public ContractViolation {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(problem, "problem");
    }

    /** {@code path: problem}. */
    @Override
    public String toString() {
        return path + ": " + problem;
    }
}
