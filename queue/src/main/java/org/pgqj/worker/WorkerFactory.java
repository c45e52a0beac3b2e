package org.pgqj.worker;

import java.util.Objects;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;

/**
 * Builds a worker for {@code pgqj run FACTORY}, the Java twin of {@code pgq run module:factory}. A
 * factory is a class implementing this interface (with a public no-argument constructor), or any public
 * static method taking a {@link Context} and returning a {@link Worker}, named {@code Class::method}.
 */
@FunctionalInterface
public interface WorkerFactory {

    /**
     * What the command line provides.
     *
     * @param dataSource the database from {@code --pg-dsn} / {@code DATABASE_URL} / {@code PGDSN}
     * @param tables     the install from {@code --prefix} / {@code --schema}
     * @param options    the worker options from {@code --batch-size}, {@code --mode}, ...; pass them to
     *                   {@link Worker.Builder#options(WorkerOptions)}
     */
    record Context(DataSource dataSource, QueueTables tables, WorkerOptions options) {
        /** Checks for nulls. */
        public Context {
            Objects.requireNonNull(dataSource, "dataSource");
            Objects.requireNonNull(tables, "tables");
            Objects.requireNonNull(options, "options");
        }
    }

    /** Builds (does not start) the worker. */
    Worker create(Context context) throws Exception;
}
