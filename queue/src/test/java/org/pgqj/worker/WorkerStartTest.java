package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The seed's "forgot pgq install" pitfall: a clear error at start, naming the fix. */
@ExtendWith(PostgresExtension.class)
class WorkerStartTest {

    @Test
    void refusesToStartWithoutTheSchema(TestDatabase db) {
        Worker worker = Worker.builder(db.dataSource(), QueueTables.of(new PgqueuerNames("", "nowhere")))
                .entrypoint("x", EntrypointOptions.defaults(), (job, ctx) -> { })
                .build();
        WorkerException e = assertThrows(WorkerException.class, worker::start);
        assertTrue(e.getMessage().contains("absent in schema 'nowhere'") && e.getMessage().contains("install it first"),
                e.getMessage());
        worker.close(); // closing a worker that never started is harmless
    }
}
