package org.pgqj.examples.blog;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.admin.CompletionResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.connect.ConnectionUrl;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerOptions;

/**
 * The seed's blog, end to end: migrate the app's tables and the queue schema separately, publish an
 * article (row update + index_article job in one transaction), show that a rolled-back publish leaves
 * no job, enqueue welcome mails, and work everything off with a fast and a slow pod.
 *
 * <p>{@code ./mvnw -q -pl examples -am verify -DskipTests -Pexample} runs it on an embedded PostgreSQL;
 * with {@code DATABASE_URL} set it uses that database.
 */
public final class BlogApp {

    private BlogApp() {
    }

    public static void main(String[] args) throws Exception {
        var url = ConnectionUrl.fromEnvironment();
        if (url.isPresent()) {
            System.out.println("Using DATABASE_URL " + url.get());
            System.exit(run(url.get().dataSource()).allDone() ? 0 : 1);
        }
        System.out.println("No DATABASE_URL set: starting an embedded PostgreSQL");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Outcome outcome = run(pg.getPostgresDatabase());
            System.exit(outcome.allDone() ? 0 : 1);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start an embedded PostgreSQL: " + e.getMessage()
                    + ". Set DATABASE_URL=postgresql://user:password@host:5432/db to use a database instead.", e);
        }
    }

    /** What the run did, for the printout and the example's test. */
    public record Outcome(long articleId, String articleStatus, long rolledBackArticle, String rolledBackStatus,
                          Map<Long, JobStatus> jobs, int indexed, int welcomes, boolean allDone) {
    }

    /** The whole story against {@code dataSource}. */
    public static Outcome run(DataSource dataSource) throws InterruptedException {
        // 1. The app's own migrations, and the queue schema in its own Flyway location.
        migrateAppSchema(dataSource);
        PgqueuerSchema.forDataSource(dataSource).migrate();
        System.out.println("Migrated the app schema (db/migration) and the queue schema (db/pgqueuer)");

        QueueTables tables = QueueTables.fromEnvironment();
        DSLContext db = DSL.using(dataSource, SQLDialect.POSTGRES);
        JobQueue queue = JobQueue.create(tables);
        Articles articles = new Articles(db, queue);

        // 2. Publish: the article row and the index_article job commit together.
        long article = articles.draft("Hello, queue", "ada@example.com");
        long indexJob = articles.publish(article);
        System.out.printf("Published article %d and enqueued index_article job %d in one transaction%n", article, indexJob);

        // 3. A publish that fails after enqueueing: the rollback takes the job with it.
        long doomed = articles.draft("Never published", "bob@example.com");
        try {
            articles.publishThenFail(doomed);
        } catch (RuntimeException e) {
            System.out.println("Rolled back: " + e.getMessage());
        }
        System.out.printf("Article %d is still '%s', and no index_article job exists for it%n", doomed, articles.status(doomed));

        // 4. Welcome mails, enqueued in one statement.
        List<Long> welcomeJobs = queue.enqueueRecords(db, List.of(
                new SendWelcome("ada@example.com", Instant.now()),
                new SendWelcome("grace@example.com", Instant.now()),
                new SendWelcome("linus@example.com", Instant.now())));
        System.out.println("Enqueued send_welcome jobs " + welcomeJobs);

        // 5. Two pod classes work the queue off, then stop (drain mode).
        WorkerFactory.Context context = new WorkerFactory.Context(dataSource, tables,
                WorkerOptions.builder().mode(WorkerOptions.Mode.DRAIN).build());
        BlogTasks tasks = new BlogTasks(db, articles);
        try (Worker fast = Pods.fast(context, tasks); Worker slow = Pods.slow(context, tasks)) {
            fast.start();
            slow.start();
            List<Long> all = new java.util.ArrayList<>(welcomeJobs);
            all.add(indexJob);
            CompletionResult done = QueueAdmin.create(tables).waitForCompletion(dataSource, all, Duration.ofSeconds(30));
            System.out.println("Job outcomes: " + done.finished());
            Outcome outcome = new Outcome(article, articles.status(article), doomed, articles.status(doomed),
                    done.finished(), articles.indexedCount(), tasks.welcomesSent.get(), done.isComplete()
                    && done.finished().values().stream().allMatch(s -> s == JobStatus.SUCCESSFUL));
            System.out.printf("Indexed articles: %d, welcome mails sent: %d -> %s%n", outcome.indexed(),
                    outcome.welcomes(), outcome.allDone() ? "all done" : "NOT all done");
            return outcome;
        }
    }

    /**
     * The blog's own tables (Flyway, {@code db/migration}, default history table). Before the queue schema on a fresh
     * database: the app's Flyway baselines nothing, so it must find the schema empty.
     */
    public static void migrateAppSchema(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** The handlers for a worker started by {@code pgqj run}. */
    static BlogTasks tasks(WorkerFactory.Context context) {
        DSLContext db = DSL.using(context.dataSource(), SQLDialect.POSTGRES);
        return new BlogTasks(db, new Articles(db, JobQueue.create(context.tables())));
    }
}
