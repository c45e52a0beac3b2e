package org.pgqj.internal.sql;

import java.sql.SQLException;

/**
 * Reading connection failures: is it the server's connection limit (or a missing grant), and a message that is never "null"
 * (a timeout's or a closed stream's exception has none); the one wording of a connection-limit refusal. Used
 * by the worker's claim and write loops and by the LISTEN connection.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class ConnectionErrors {

    /** SQLSTATE too_many_connections: "sorry, too many clients already", "remaining connection slots are reserved". */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    private ConnectionErrors() {
    }

    /** SQLSTATE insufficient_privilege: "permission denied for table ...". */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    /** Whether {@code e} or one of its causes is PostgreSQL refusing a connection for lack of slots. */
    public static boolean isTooManyConnections(Throwable e) {
        return hasSqlState(e, TOO_MANY_CONNECTIONS);
    }

    /** Whether {@code e} or one of its causes is PostgreSQL's "permission denied" (the role lacks a grant). */
    public static boolean isPermissionDenied(Throwable e) {
        return hasSqlState(e, INSUFFICIENT_PRIVILEGE);
    }

    private static boolean hasSqlState(Throwable e, String sqlState) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sqlState.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * What to log when the server refuses {@code connection} for lack of connection slots:
     * {@code "<what>: the server refuses its <connection> connection (<why>). Its max_connections is used up: ..."}.
     */
    public static String refusal(String what, String connection, Throwable e) {
        return what + ": the server refuses its " + connection + " connection (" + describe(e) + "). Its "
                + "max_connections is used up: raise max_connections or use fewer connections elsewhere";
    }

    /** The innermost message there is, or the exception's class. */
    public static String describe(Throwable e) {
        String m = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                m = t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return m == null ? e.getClass().getName() : m;
    }
}
