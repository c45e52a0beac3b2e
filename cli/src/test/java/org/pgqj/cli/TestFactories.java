package org.pgqj.cli;

import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerFactory;

/** Worker factories that `pgqj run` loads from the test classpath. */
public final class TestFactories {

    private TestFactories() {
    }

    /** echo: succeeds at once; slow: takes 2 s (to be interrupted by a graceful shutdown); sleepy: 2 minutes. */
    public static Worker echo(WorkerFactory.Context context) {
        return Worker.builder(context.dataSource(), context.tables())
                .options(context.options())
                .entrypoint("echo", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("slow", EntrypointOptions.defaults(), (job, ctx) -> {
                    System.err.println("slow job " + job.id() + " started");
                    Thread.sleep(2_000);
                })
                .entrypoint("sleepy", EntrypointOptions.defaults(), (job, ctx) -> {
                    System.err.println("sleepy job " + job.id() + " started");
                    Thread.sleep(120_000);
                })
                .build();
    }
}
