package org.pgqj.spring.autoconfigure;

import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.Duration;
import java.util.Optional;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import org.pgqj.worker.Worker;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Actuator health {@code pgqj}: DOWN when the database cannot be reached, the queue schema is incomplete,
 * or this app's worker has lost its LISTEN connection (a poll-only worker, {@code pgqj.worker.listen=false}, has
 * none to lose: its detail says {@code off}). Details: {@code listener}, {@code runningJobs},
 * {@code schema}, and {@code stalePickedJobs} (picked jobs whose heartbeat is older than the heartbeat
 * timeout: their worker died; another worker re-claims them, so they are reported but do not make this
 * app DOWN — restarting it would not help them).
 */
public final class PgqjHealthIndicator extends AbstractHealthIndicator {

    private final PgqjDataSources dataSources;
    private final QueueTables tables;
    private final Optional<Worker> worker;
    private final Duration heartbeatTimeout;

    PgqjHealthIndicator(PgqjDataSources dataSources, QueueTables tables, Optional<Worker> worker,
                        Duration heartbeatTimeout) {
        super("pgqj health check failed");
        this.dataSources = dataSources;
        this.tables = tables;
        this.worker = worker;
        this.heartbeatTimeout = heartbeatTimeout;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean up = true;
        if (worker.isPresent()) {
            Worker w = worker.get();
            if (w.options().listen()) {
                boolean listening = w.isListening();
                builder.withDetail("listener", listening ? "up" : "down");
                up = listening;
            } else {
                builder.withDetail("listener", "off (poll-only, every " + w.options().pollInterval() + ")");
            }
            builder.withDetail("runningJobs", w.runningJobs());
        }
        SchemaVerification schema = PgqueuerSchema.forDataSource(dataSources.shared()).names(tables.names()).verify();
        builder.withDetail("schema", schema.isComplete() ? "complete" : schema.describe());
        up &= schema.isComplete();
        if (schema.isComplete()) {
            int stale = tables.dsl(dataSources.shared()).fetchCount(PGQUEUER, PGQUEUER.STATUS.eq(PgqueuerStatus.picked)
                    .and(PGQUEUER.HEARTBEAT.lt(DSL.currentOffsetDateTime().minus(DayToSecond.valueOf(heartbeatTimeout)))));
            builder.withDetail("stalePickedJobs", stale);
        }
        if (up) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
