package org.pgqj.schedule;

import org.pgqj.core.PgqjException;

/** A cron expression that croniter (and so pgqueuer) would reject, or that the Java scheduler cannot run. */
public final class InvalidCronExpressionException extends PgqjException {

    private static final long serialVersionUID = 1L;

    private final String expression;

    InvalidCronExpressionException(String expression, String reason) {
        super("Invalid cron expression '" + expression + "': " + reason, null);
        this.expression = expression;
    }

    InvalidCronExpressionException(String expression, String reason, Throwable cause) {
        super("Invalid cron expression '" + expression + "': " + reason, cause);
        this.expression = expression;
    }

    /** The expression as the caller gave it. */
    public String expression() {
        return expression;
    }
}
