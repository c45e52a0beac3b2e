package org.pgqj.faults;

import java.time.Duration;
import org.pgqj.core.QueueTables;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A worker in its own JVM for {@link WorkerKillFaultTest}: prints {@code WORKER <id>} once, then
 * {@code RUN <job id>} as each job starts (5 ms of work each), until the test kills it with SIGKILL.
 * Argument: the JDBC URL.
 */
public final class ChildWorkerMain {

    private ChildWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        Worker worker = Worker.builder(ds, QueueTables.defaults())
                .entrypoint(FaultLoad.ENTRYPOINT, EntrypointOptions.defaults(), (job, ctx) -> {
                    synchronized (System.out) {
                        System.out.println("RUN " + job.id());
                        System.out.flush();
                    }
                    Thread.sleep(5);
                })
                .options(WorkerOptions.builder().batchSize(20).heartbeatTimeout(Duration.ofSeconds(3))
                        .dequeueTimeout(Duration.ofSeconds(1)).build())
                .build();
        System.out.println("WORKER " + worker.id());
        System.out.flush();
        worker.run();
    }
}
