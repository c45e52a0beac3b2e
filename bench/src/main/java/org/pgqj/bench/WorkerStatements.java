package org.pgqj.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.core.PgqjException;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.worker.WorkerOptions;

/**
 * The worker's own claim and complete statements ({@link ClaimQuery}, {@link CompleteQuery}, and for a
 * limited entrypoint the two in one round trip) on a worker-style {@link DedicatedConnection}, for the
 * benchmark's baseline mode: the worker's exact statements, from {@code org.pgqj.internal} (the worker's own
 * machinery, not API).
 */
final class WorkerStatements implements AutoCloseable {

    private final DedicatedConnection connection;
    private final ClaimQuery claim;
    private final CompleteQuery complete = new CompleteQuery();
    private final List<ClaimQuery.Part> parts;
    private final int batch;

    /**
     * Statements for {@code entrypoints}, the first {@code limited} of them with the global {@code concurrencyLimit},
     * as a worker with claim batch {@code batch} and the default heartbeat timeout would send them, on a
     * connection of their own from {@code dataSource}.
     */
    WorkerStatements(DataSource dataSource, QueueTables tables, UUID workerId, List<String> entrypoints,
                            int limited, int concurrencyLimit, int batch) {
        this.connection = new DedicatedConnection(dataSource, tables, PgqjException::new);
        this.claim = new ClaimQuery(workerId, tables.names());
        List<ClaimQuery.Part> all = new ArrayList<>();
        for (int i = 0; i < entrypoints.size(); i++) {
            all.add(new ClaimQuery.Part(entrypoints.get(i), i < limited ? concurrencyLimit : 0, batch,
                    WorkerOptions.defaults().heartbeatTimeout()));
        }
        this.parts = List.copyOf(all);
        this.batch = batch;
    }

    /** One claim statement: up to the batch of jobs, now {@code picked} by this id. */
    List<Job> claim() {
        return connection.jdbc(session -> claim.claim(session, parts, batch, new Long[0]));
    }

    /** One complete statement: the jobs are deleted and logged {@code successful}. */
    void completeSuccessful(List<Job> jobs) {
        connection.jdbc(session -> {
            complete.write(session, successful(jobs));
            return null;
        });
    }

    /**
     * What the claim loop of a limited entrypoint sends: {@code done} deleted and logged {@code successful},
     * and the next claim, in one round trip and one transaction ({@link ClaimQuery#completeAndClaim}).
     */
    List<Job> completeSuccessfulAndClaim(List<Job> done) {
        return connection.jdbc(session -> claim.completeAndClaim(session, complete, successful(done), parts, batch, new Long[0]));
    }

    private static List<CompleteQuery.Outcome> successful(List<Job> jobs) {
        List<CompleteQuery.Outcome> outcomes = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            outcomes.add(new CompleteQuery.Outcome(job.id(), PgqueuerStatus.successful, null));
        }
        return outcomes;
    }

    @Override
    public void close() {
        connection.close();
    }
}
