package org.pgqj.examples.blog;

import java.time.Duration;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerFactory;

/**
 * Two pod classes, as in the seed: a fast pool for indexing and a slow pool for mail. Each is a worker
 * definition registering only its entrypoints; deploy each with {@code pgqj run
 * org.pgqj.examples.blog.Pods::fast} (or {@code ::slow}).
 */
public final class Pods {

    private Pods() {
    }

    /** index_article, up to 4 at a time across all workers. */
    public static Worker fast(WorkerFactory.Context context, BlogTasks tasks) {
        return Worker.builder(context.dataSource(), context.tables())
                .options(context.options())
                .entrypoint(IndexArticle.class, EntrypointOptions.builder().concurrencyLimit(4).build(),
                        tasks::indexArticle)
                .build();
    }

    /** send_welcome: 2 at a time, at most 10 per second, re-run if a worker dies for 30 s. */
    public static Worker slow(WorkerFactory.Context context, BlogTasks tasks) {
        return Worker.builder(context.dataSource(), context.tables())
                .options(context.options())
                .entrypoint(SendWelcome.class, EntrypointOptions.builder()
                        .concurrencyLimit(2)
                        .requestsPerSecond(10)
                        .retryTimer(Duration.ofSeconds(30))
                        .build(), tasks::sendWelcome)
                .build();
    }

    /** Factory for {@code pgqj run org.pgqj.examples.blog.Pods::fast}. */
    public static Worker fast(WorkerFactory.Context context) {
        return fast(context, BlogApp.tasks(context));
    }

    /** Factory for {@code pgqj run org.pgqj.examples.blog.Pods::slow}. */
    public static Worker slow(WorkerFactory.Context context) {
        return slow(context, BlogApp.tasks(context));
    }
}
