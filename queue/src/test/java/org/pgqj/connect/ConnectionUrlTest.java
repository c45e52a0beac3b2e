package org.pgqj.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

@ExtendWith(PostgresExtension.class)
class ConnectionUrlTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("postgresql://app:s3cret@db.example:5433/shop",
                        "jdbc:postgresql://db.example:5433/shop", Map.of("user", "app", "password", "s3cret")),
                Arguments.of("postgres://app:s3cret@db/shop",
                        "jdbc:postgresql://db/shop", Map.of("user", "app", "password", "s3cret")),
                Arguments.of("postgresql+asyncpg://app:s3cret@db:5432/shop",
                        "jdbc:postgresql://db:5432/shop", Map.of("user", "app", "password", "s3cret")),
                Arguments.of("postgresql+psycopg://app@db/shop?sslmode=require&application_name=web",
                        "jdbc:postgresql://db/shop", Map.of("user", "app", "sslmode", "require", "ApplicationName", "web")),
                Arguments.of("jdbc:postgresql://db:5432/shop?user=app&password=s3cret",
                        "jdbc:postgresql://db:5432/shop", Map.of("user", "app", "password", "s3cret")),
                Arguments.of("jdbc:postgresql://app:pw@db/shop",
                        "jdbc:postgresql://db/shop", Map.of("user", "app", "password", "pw")),
                // percent-escapes in user, password, database and parameters; '+' stays a plus
                Arguments.of("postgresql://us%40er:p%3Aw%2Fd+x@db/my%20db?options=-c%20search_path%3Djobs",
                        "jdbc:postgresql://db/my%20db",
                        Map.of("user", "us@er", "password", "p:w/d+x", "options", "-c search_path=jobs")),
                Arguments.of("postgresql://app:p@ss@db/shop", // unescaped '@' in a password: the last '@' ends it
                        "jdbc:postgresql://db/shop", Map.of("user", "app", "password", "p@ss")),
                Arguments.of("postgresql://", "jdbc:postgresql://localhost/", Map.of()),
                Arguments.of("postgresql:///shop?host=db&port=6432&dbname=ignored",
                        "jdbc:postgresql://db:6432/shop", Map.of()),
                Arguments.of("postgresql://h1:5432,h2:5433/shop?target_session_attrs=read-write&connect_timeout=5",
                        "jdbc:postgresql://h1:5432,h2:5433/shop", Map.of("targetServerType", "primary", "connectTimeout", "5")),
                Arguments.of("postgresql://[::1]:5432/shop", "jdbc:postgresql://[::1]:5432/shop", Map.of()),
                Arguments.of("  POSTGRESQL://db/shop  ", "jdbc:postgresql://db/shop", Map.of()));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void acceptedForms(String url, String jdbc, Map<String, String> params) {
        ConnectionUrl parsed = ConnectionUrl.parse(url);
        assertEquals(jdbc, parsed.jdbcUrl());
        assertEquals(params, parsed.parameters());
        assertFalse(parsed.toString().contains("s3cret"), parsed.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mysql://app:s3cret@db/shop",
            "http://app:s3cret@db/shop",
            "postgresql://app:s3cret@db:port/shop",
            "postgresql://app:s3cret@db:99999/shop",
            "postgresql://app:s3cret@db/shop/extra",
            "postgresql://app:s3cret@db/shop?sslmode",
            "postgresql://app:s3%zzcret@db/shop",
            "postgresql://app:s3cret@[::1/shop",
            "postgresql://app:s3cret@d b/shop",
            "postgresql://app:se/s3cret@db/shop",
            "postgresql://app:se?s3cret@db/shop",
            "postgresql:///shop?host=/var/run/postgresql&password=s3cret",
            "",
            "s3cret"})
    void rejectedFormsListTheAcceptedOnesAndHideThePassword(String url) {
        ConnectionUrlException e = assertThrows(ConnectionUrlException.class, () -> ConnectionUrl.parse(url));
        assertTrue(e.getMessage().contains("Accepted forms: postgresql://"), e.getMessage());
        assertTrue(e.getMessage().contains("jdbc:postgresql://"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void environmentPrefersDatabaseUrlThenPgqueuerDsnThenPgdsn() {
        Map<String, String> env = Map.of("DATABASE_URL", "postgresql+asyncpg://a@one/x", "PGDSN", "postgresql://b@two/y");
        assertEquals("jdbc:postgresql://one/x", ConnectionUrl.fromEnvironment(env::get).orElseThrow().jdbcUrl());
        Map<String, String> pgdsn = Map.of("PGDSN", "postgresql://b@two/y");
        assertEquals("jdbc:postgresql://two/y", ConnectionUrl.fromEnvironment(pgdsn::get).orElseThrow().jdbcUrl());
        assertEquals(Optional.empty(), ConnectionUrl.fromEnvironment(Map.<String, String>of()::get));
        var bad = assertThrows(ConnectionUrlException.class,
                () -> ConnectionUrl.fromEnvironment(Map.of("DATABASE_URL", "mysql://u:s3cret@h/d")::get));
        assertTrue(bad.getMessage().startsWith("DATABASE_URL: "), bad.getMessage());
    }

    @Test
    void thePythonUrlOfTheTestDatabaseConnects(TestDatabase db) throws Exception {
        for (String form : new String[] {db.postgresUrl(), db.postgresUrl().replace("postgresql://", "postgresql+asyncpg://")}) {
            ConnectionUrl url = ConnectionUrl.parse(form + "?application_name=pgqj-url-test");
            try (Connection c = url.dataSource().getConnection(); ResultSet rs = c.createStatement()
                    .executeQuery("SELECT current_database(), current_setting('application_name')")) {
                rs.next();
                assertEquals(db.name(), rs.getString(1));
                assertEquals("pgqj-url-test", rs.getString(2));
            }
            try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties())) {
                assertTrue(c.isValid(5));
            }
        }
    }
}
