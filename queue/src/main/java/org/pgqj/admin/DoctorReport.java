package org.pgqj.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link QueueDoctor#examine} found, worst first.
 *
 * @param findings every finding, errors before warnings
 * @param at       the database's clock when examined
 */
public record DoctorReport(List<DoctorFinding> findings, Instant at) {

    /** Validates and copies. */
    public DoctorReport {
        findings = List.copyOf(findings);
        Objects.requireNonNull(at, "at");
    }

    /** The worst severity found; empty when all is fine. */
    public Optional<DoctorFinding.Severity> worst() {
        return findings.stream().map(DoctorFinding::severity).max(Enum::compareTo);
    }

    /** For monitoring: 0 when all is fine, 1 with warnings only, 2 with an error. */
    public int exitCode() {
        return worst().map(s -> s == DoctorFinding.Severity.ERROR ? 2 : 1).orElse(0);
    }
}
