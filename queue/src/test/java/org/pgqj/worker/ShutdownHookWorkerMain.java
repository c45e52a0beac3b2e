package org.pgqj.worker;

import java.time.Duration;
import org.pgqj.core.QueueTables;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A worker in its own JVM for {@link WorkerShutdownHookTest}: runs "hook_job" jobs whose handler prints
 * {@code STARTED <id>}, sleeps, then prints {@code FINISHED <id>}; the worker runs until the process ends.
 * Arguments: JDBC URL, user, password (may be empty), shutdownHook (true/false), handler sleep in ms.
 */
public final class ShutdownHookWorkerMain {

    private ShutdownHookWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(args[0]);
        ds.setUser(args[1]);
        if (!args[2].isEmpty()) {
            ds.setPassword(args[2]);
        }
        boolean hook = Boolean.parseBoolean(args[3]);
        long sleepMillis = Long.parseLong(args[4]);
        Worker worker = Worker.builder(ds, QueueTables.defaults())
                .entrypoint("hook_job", EntrypointOptions.defaults(), (job, ctx) -> {
                    say("STARTED " + job.id());
                    Thread.sleep(sleepMillis);
                    say("FINISHED " + job.id());
                })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).shutdownHook(hook).build())
                .build();
        worker.run();
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
