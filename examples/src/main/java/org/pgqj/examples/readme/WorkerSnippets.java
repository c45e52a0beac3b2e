package org.pgqj.examples.readme;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.Entrypoint;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.FailureLogging;
import org.pgqj.worker.RetryPolicy;
import org.pgqj.worker.RetryRequested;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerOptions;

final class WorkerSnippets {

    private WorkerSnippets() {
    }

    interface Mailer {
        void sendWelcome(long userId) throws Exception;
    }

    interface SearchIndex {
        void index(String articleId) throws Exception;
    }

    // tag::handlers[]
    @Entrypoint("send_welcome")
    public record SendWelcome(long userId) { }

    static Worker worker(DataSource dataSource, Mailer mailer, SearchIndex search) {
        return Worker.builder(dataSource, QueueTables.defaults())
                // typed: the payload JSON decoded into the record; the name comes from @Entrypoint
                .entrypoint(SendWelcome.class, EntrypointOptions.builder()
                                .concurrencyLimit(2)                 // across ALL workers, Java and Python
                                .requestsPerSecond(10)               // token bucket
                                .retryTimer(Duration.ofSeconds(30))  // re-run if its worker died
                                .retryPolicy(RetryPolicy.exponentialBackoff())
                                .build(),
                        (welcome, ctx) -> mailer.sendWelcome(welcome.userId()))
                // raw: the payload bytes exactly as the producer stored them
                .entrypoint("index_article", EntrypointOptions.builder().concurrencyLimit(4).build(),
                        (job, ctx) -> search.index(new String(job.payload(), UTF_8)))
                .options(WorkerOptions.builder().batchSize(10).shutdownHook(true).build())
                .build();
    }
    // end::handlers[]

    static void run(Worker worker) {
        // tag::run[]
        worker.start();   // returns at once: claims, runs handlers on virtual threads, heartbeats
        // ...
        worker.close();   // graceful: stop claiming, let running jobs finish, flush outcomes
        // end::run[]
    }

    static WorkerOptions failureLogging() {
        // tag::failure-log[]
        WorkerOptions options = WorkerOptions.builder()
                .failureLogging(FailureLogging.defaults()
                        .withLevels(FailureLogging.Level.INFO, FailureLogging.Level.ERROR) // retry/hold, final
                        .withFlood(20, Duration.ofMinutes(5))  // 20 lines per entrypoint per 5 min, then a summary
                        .withStackTrace(true))
                .build();                                  // FailureLogging.off(): no line at all
        // end::failure-log[]
        return options;
    }

    static void retry(long userId, boolean mailServerDown) {
        // tag::retry[]
        if (mailServerDown) {
            throw new RetryRequested(Duration.ofMinutes(1), "mail server down"); // queued again, attempts + 1
        }
        // end::retry[]
    }

    // tag::factory[]
    /** Run with: pgqj run com.example.Pods::fast   (or ::slow, one per pod class) */
    public static final class Pods {
        public static Worker fast(WorkerFactory.Context context) {
            return Worker.builder(context.dataSource(), context.tables())
                    .options(context.options())       // --batch-size, --mode ... from the command line
                    .entrypoint("index_article", EntrypointOptions.builder().concurrencyLimit(4).build(),
                            (job, ctx) -> { /* index it */ })
                    .build();
        }

        public static Worker slow(WorkerFactory.Context context) {
            return Worker.builder(context.dataSource(), context.tables())
                    .options(context.options())
                    .entrypoint(SendWelcome.class, EntrypointOptions.builder().concurrencyLimit(2).build(),
                            (welcome, ctx) -> { /* send it */ })
                    .build();
        }
    }
    // end::factory[]
}
