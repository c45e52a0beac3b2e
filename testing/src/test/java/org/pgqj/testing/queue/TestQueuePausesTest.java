package org.pgqj.testing.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.PausedEntrypoint;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.schema.ControlsSchema;

/** {@link TestQueue#empty()} resumes what a test paused for the fleet, so the next test's workers are not kept off. */
@QueueTest
class TestQueuePausesTest {

    @Test
    void emptyResumesFleetPauses(TestQueue queue) {
        queue.empty(); // without the control tables: nothing to resume, no error
        ControlsSchema.forDataSource(queue.dataSource()).names(queue.tables().names()).install();
        QueueAdmin admin = QueueAdmin.create(queue.tables());
        admin.pause(queue.dsl(), "ship_order", "a test");
        assertEquals(List.of("ship_order"),
                admin.pausedEntrypoints(queue.dsl()).stream().map(PausedEntrypoint::entrypoint).toList());

        queue.empty();

        assertEquals(List.of(), admin.pausedEntrypoints(queue.dsl()));
    }
}
