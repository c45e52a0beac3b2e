package org.pgqj.examples.readme;

import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.admin.PauseResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's "Pause and resume an entrypoint" snippets. */
final class PauseSnippets {

    private static final Logger LOG = LoggerFactory.getLogger(PauseSnippets.class);

    private PauseSnippets() {
    }

    static void install(DataSource dataSource, QueueTables tables) {
        // tag::install[]
        ControlsSchema.forDataSource(dataSource).names(tables.names()).install(); // once, like a migration
        // end::install[]
    }

    static void fleet(DSLContext dsl, QueueTables tables) {
        // tag::fleet[]
        QueueAdmin admin = QueueAdmin.create(tables);
        dsl.transaction(trx -> {
            PauseResult paused = admin.pause(trx.dsl(), "charge_card", "alice (incident 4711)");
            paused.pythonNotice().ifPresent(LOG::warn); // Python workers do not know about pause
        });
        // ... the acquirer is back:
        dsl.transaction(trx -> admin.resume(trx.dsl(), "charge_card", "alice"));
        // end::fleet[]
    }

    static void local(Worker worker) {
        // tag::local[]
        worker.pause("charge_card");   // this worker only, until resume or the process ends
        worker.resume("charge_card");
        // end::local[]
    }
}
