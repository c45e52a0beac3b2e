package org.pgqj.cli;

import org.pgqj.core.PgqjException;
import org.pgqj.schema.PgqueuerSchemaException;

/** Turns any failure into one line that says what went wrong. */
final class CliErrors {

    private CliErrors() {
    }

    static String oneLine(Throwable e) {
        if (e instanceof CliException || e instanceof PgqjException || e instanceof PgqueuerSchemaException
                || e instanceof IllegalArgumentException) {
            return firstLine(e.getMessage());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return firstLine(e.getMessage() != null && root == e ? e.getMessage() : message);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
