package org.pgqj.spring.autoconfigure;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pgqj.admin.DoctorReport;
import org.pgqj.admin.QueueDoctor;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health {@code pgqjDoctor}: {@link QueueDoctor}'s findings about the whole fleet (entrypoints nobody
 * serves, backlogs, disagreeing concurrency limits, stale picked jobs, tables without retention, schema drift, the
 * NOTIFY queue, autovacuum) as details: {@code status} ({@code fine}, {@code warning}, {@code error}) and
 * {@code findings} (check, severity, subject, problem, advice). Always UP: what it finds is the fleet's, and
 * restarting this application would mend none of it; alert on the details (or run {@code pgqj doctor}).
 */
public final class PgqjDoctorHealthIndicator extends AbstractHealthIndicator {

    private final PgqjDataSources dataSources;
    private final QueueDoctor doctor;

    PgqjDoctorHealthIndicator(PgqjDataSources dataSources, QueueDoctor doctor) {
        super("pgqj doctor failed");
        this.dataSources = dataSources;
        this.doctor = doctor;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        DoctorReport report = doctor.examine(dataSources.shared());
        List<Map<String, String>> findings = report.findings().stream().map(f -> Map.of(
                "check", lower(f.check()), "severity", lower(f.severity()), "subject", f.subject(),
                "problem", f.problem(), "advice", f.advice())).toList();
        builder.up().withDetail("status", report.worst().map(PgqjDoctorHealthIndicator::lower).orElse("fine"))
                .withDetail("findings", findings);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
