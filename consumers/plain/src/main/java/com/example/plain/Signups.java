package com.example.plain;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.payload.Entrypoint;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** A plain app: a sign-up and its welcome mail job in one transaction, and a worker that sends the mails. */
public final class Signups {

    @Entrypoint("send_welcome")
    public record SendWelcome(String email) {
    }

    private final DataSource dataSource;
    private final DSLContext dsl;
    private final JobQueue queue = JobQueue.create(QueueTables.defaults());
    /** The addresses the worker has sent a welcome mail to. */
    public final Set<String> welcomed = ConcurrentHashMap.newKeySet();

    public Signups(DataSource dataSource) {
        this.dataSource = dataSource;
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
        PgqueuerSchema.forDataSource(dataSource).migrate();
        dsl.execute("CREATE TABLE IF NOT EXISTS signup (email text PRIMARY KEY)");
    }

    /** Registers {@code email} and enqueues its welcome mail; {@code fail} throws after the enqueue. */
    public void signUp(String email, boolean fail) {
        dsl.transaction(trx -> {
            signUp(trx.dsl(), email);
            if (fail) {
                throw new IllegalStateException("sign-up of " + email + " failed after the enqueue");
            }
        });
    }

    /** Registers {@code email} and enqueues its welcome mail in the caller's transaction {@code trx}. */
    public void signUp(DSLContext trx, String email) {
        trx.insertInto(table(name("signup")), field(name("email"))).values(email).execute();
        queue.enqueue(trx, new SendWelcome(email));
    }

    /** The worker that sends welcome mails, not started. */
    public Worker welcomeWorker(WorkerOptions options) {
        return Worker.builder(dataSource, QueueTables.defaults())
                .entrypoint(SendWelcome.class, EntrypointOptions.defaults(), (mail, ctx) -> welcomed.add(mail.email()))
                .options(options)
                .build();
    }

    /** A worker that sends welcome mails until the queue is empty, then returns. */
    public void sendWelcomes() throws InterruptedException {
        try (Worker worker = welcomeWorker(WorkerOptions.builder().mode(WorkerOptions.Mode.DRAIN).build())) {
            worker.run();
        }
    }
}
