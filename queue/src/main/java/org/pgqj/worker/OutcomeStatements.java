package org.pgqj.worker;

import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.queue.RetryQuery;
import org.pgqj.internal.sql.DedicatedConnection;

/**
 * Writing what a sink took from its buffer: each retry or snooze in a statement of its own ({@link RetryQuery}), then the
 * outcomes, by themselves or with what else the caller sends in that round trip (the claim loop's claim).
 * Whatever commits is reported to the buffer; on a failure what is left goes to {@code unwritten} and the
 * failure is thrown.
 */
final class OutcomeStatements {

    /** Writes the outcomes (possibly none) on the session, with whatever else goes in the same round trip. */
    @FunctionalInterface
    interface OutcomeWrite<T> {
        T write(DedicatedConnection.Session session, List<CompleteQuery.Outcome> outcomes) throws SQLException;
    }

    private OutcomeStatements() {
    }

    /** Writes {@code taken} from {@code buffer} on {@code connection}; returns what {@code write} returned. */
    static <T> T write(DedicatedConnection connection, OutcomeBuffer buffer, OutcomeBuffer.Taken taken,
                       OutcomeWrite<T> write, Consumer<OutcomeBuffer.Taken> unwritten) {
        List<OutcomeBuffer.Retry> retries = taken.retries();
        for (int i = 0; i < retries.size(); i++) {
            OutcomeBuffer.Retry retry = retries.get(i);
            try {
                connection.run(dsl -> {
                    if (retry.isSnooze()) {
                        RetryQuery.snooze(dsl, connection.tables(), retry.id(), retry.delay());
                    } else {
                        RetryQuery.retry(dsl, connection.tables(), retry.id(), retry.delay(), retry.traceback());
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                unwritten.accept(new OutcomeBuffer.Taken(List.copyOf(retries.subList(i, retries.size())), taken.outcomes()));
                throw e;
            }
            buffer.committed(retry);
        }
        try {
            T result = connection.jdbc(session -> write.write(session, taken.outcomes()));
            buffer.committed(taken.outcomes());
            return result;
        } catch (RuntimeException e) {
            unwritten.accept(new OutcomeBuffer.Taken(List.of(), taken.outcomes()));
            throw e;
        }
    }
}
