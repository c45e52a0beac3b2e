package org.pgqj.worker;

import java.time.Duration;
import org.pgqj.core.QueueTables;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A worker in its own JVM for {@link WorkerRescueTest}: runs "rescue_me" jobs with a 1 s retry timer,
 * prints {@code STARTED <id>} for each and then hangs until the test kills the process with SIGKILL.
 * Arguments: JDBC URL, user, password (may be empty).
 */
public final class KilledWorkerMain {

    private KilledWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        ds.setUser(args[1]);
        if (args.length > 2 && !args[2].isEmpty()) {
            ds.setPassword(args[2]);
        }
        Worker worker = Worker.builder(ds, QueueTables.defaults())
                .entrypoint("rescue_me", EntrypointOptions.builder().retryTimer(Duration.ofSeconds(1)).build(), (job, ctx) -> {
                    synchronized (System.out) {
                        System.out.println("STARTED " + job.id());
                        System.out.flush();
                    }
                    Thread.sleep(Long.MAX_VALUE);
                })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build())
                .build();
        worker.run();
    }
}
