package org.pgqj.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;

/**
 * The worker's own claim and complete statements ({@link ClaimQuery}, {@link CompleteQuery}) for the
 * benchmark's baseline mode.
 *
 * <p>This class lives in the benchmark module but in package {@code org.pgqj.worker} (a split package
 * on the class path) only so that the baseline measures the worker's exact statements, which are
 * package-private there; nothing else should use it.
 */
public final class WorkerStatements {

    private final ClaimQuery claim;
    private final List<ClaimQuery.Part> parts;
    private final int batch;

    /**
     * Statements for one entrypoint (global {@code concurrencyLimit}, 0 = unlimited), as a worker
     * with claim batch {@code batch} and the default heartbeat timeout would send them.
     */
    public WorkerStatements(UUID workerId, String queueTable, String entrypoint, int concurrencyLimit, int batch) {
        this.claim = new ClaimQuery(workerId, queueTable);
        this.parts = List.of(new ClaimQuery.Part(entrypoint, concurrencyLimit, batch,
                WorkerOptions.defaults().heartbeatTimeout()));
        this.batch = batch;
    }

    /**
     * One claim statement: up to the batch of jobs, now {@code picked} by this id. Like the worker, it keeps
     * the prepared statement: call it with the same connection every time.
     */
    public List<Job> claim(DSLContext dsl) {
        return claim.claim(dsl, 1L, parts, batch); // 1: the only connection this instance is used with
    }

    /** One complete statement: the jobs are deleted and logged {@code successful}. */
    public static void completeSuccessful(DSLContext dsl, List<Job> jobs) {
        List<CompleteQuery.Outcome> outcomes = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            outcomes.add(new CompleteQuery.Outcome(job.id(), PgqueuerStatus.successful, null));
        }
        CompleteQuery.write(dsl, outcomes);
    }
}
