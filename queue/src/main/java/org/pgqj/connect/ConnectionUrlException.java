package org.pgqj.connect;

import org.pgqj.core.PgqjException;

/** A database URL could not be read; the message lists the accepted forms and never shows the password. */
public class ConnectionUrlException extends PgqjException {

    private static final long serialVersionUID = 1L;

    ConnectionUrlException(String message) {
        super(message);
    }
}
