package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.JobStatus;
import org.pgqj.payload.Entrypoint;
import org.pgqj.testing.PythonEnv;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * The cross-language contract test of README's "Testing" and docs/TESTING.md, as an app team writes it with the
 * public kit only: Python pgqueuer (the version pinned in this module's pom) enqueues and the Java handler runs
 * it; Java enqueues and a Python worker runs it.
 */
// tag::contract[]
@ExtendWith(RequiresPython.class) // skipped, with one line saying why, where there is no python3
@QueueTest
class PythonContractTest {

    /** The Python scripts (src/test/python), from the pom's Surefire configuration. */
    private static final Path SCRIPTS = Path.of(System.getProperty("pgqj.interop.scripts", "src/test/python"));

    @Entrypoint("ship_order")
    record ShipOrder(long orderId, String carrier) {
    }

    @Entrypoint("send_receipt")
    record SendReceipt(long orderId, String email) {
    }

    @Test
    void pythonEnqueuesMyHandlerRuns(TestQueue queue, TestDatabase db) {
        TestProcess.Result python = TestProcess.run("producer", PythonEnv.require()
                .script(db.postgresUrl(), SCRIPTS.resolve("guide_producer.py"), "42"), Duration.ofSeconds(60));
        assertEquals(0, python.exitCode(), python::toString);

        queue.enqueued().requirePayload(new ShipOrder(42, "dhl")); // Python's JSON is my record
        List<ShipOrder> shipped = new CopyOnWriteArrayList<>();
        queue.drain(Worker.builder(queue.dataSource(), queue.tables())
                .entrypoint(ShipOrder.class, EntrypointOptions.defaults(), (order, ctx) -> shipped.add(order))
                .build()).requireAllSuccessful();
        assertEquals(List.of(new ShipOrder(42, "dhl")), shipped);
    }

    @Test
    void javaEnqueuesAPythonWorkerRunsIt(TestQueue queue, TestDatabase db) {
        long id = queue.jobQueue().enqueue(queue.dsl(), new SendReceipt(42, "ada@example.com"));

        TestProcess.Result python = TestProcess.run("worker", PythonEnv.require()
                .script(db.postgresUrl(), SCRIPTS.resolve("guide_worker.py")), Duration.ofSeconds(60));

        assertEquals(0, python.exitCode(), python::toString); // drain mode: it exits once the queue is empty
        assertTrue(python.outText().contains("receipt for order 42 to ada@example.com"), python::toString);
        assertEquals(JobStatus.SUCCESSFUL, QueueAdmin.create(queue.tables())
                .waitForCompletion(queue.dataSource(), List.of(id), Duration.ofSeconds(10)).finished().get(id));
    }
}
// end::contract[]
