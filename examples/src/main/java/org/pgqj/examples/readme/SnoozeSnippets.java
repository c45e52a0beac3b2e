package org.pgqj.examples.readme;

import java.time.Duration;
import org.jooq.DSLContext;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.JobHandler;
import org.pgqj.worker.SnoozeRequested;

/** The README's "Snooze" and per-job timeout snippets. */
final class SnoozeSnippets {

    private SnoozeSnippets() {
    }

    interface Partner {
        /** How long the partner asks us to wait, or zero when it took the request. */
        Duration submit(byte[] order) throws Exception;
    }

    static JobHandler snooze(Partner partner) {
        // tag::snooze[]
        JobHandler sync = (job, ctx) -> {
            Duration busy = partner.submit(job.payload());
            if (!busy.isZero()) {   // "come back in 10 minutes": no attempt counted, not a failure
                throw new SnoozeRequested(busy, "partner busy");
            }
        };
        // end::snooze[]
        return sync;
    }

    static long timeoutHeader(DSLContext dsl, byte[] payload) {
        JobQueue queue = JobQueue.create(QueueTables.defaults());
        // tag::timeout-header[]
        long id = queue.enqueue(dsl, NewJob.builder("render_report")
                .payload(payload)
                .timeout(Duration.ofMinutes(10))   // this job only: header "pgqj-timeout": "PT10M"
                .build());
        // end::timeout-header[]
        return id;
    }
}
