package org.pgqj.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A running PostgreSQL server that tests may create databases on.
 *
 * @param kind        how it was found, for the log line that says which one a run uses
 * @param host        host name or address
 * @param port        TCP port
 * @param adminDatabase a database the admin user can connect to (to create and drop others)
 * @param user        a user allowed to create databases
 * @param password    that user's password, empty when the server trusts the connection
 */
record PostgresServer(String kind, String host, int port, String adminDatabase, String user, String password) {

    String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    Properties credentials() {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        return props;
    }

    Connection connectAdmin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(adminDatabase), credentials());
    }

    String describe() {
        return kind + " at " + host + ":" + port + " (user " + user + ")";
    }
}
