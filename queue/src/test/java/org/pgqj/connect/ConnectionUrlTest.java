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
                // query host and port lists pair up as in libpq
                Arguments.of("postgresql:///shop?host=h1,h2&port=5432,5433",
                        "jdbc:postgresql://h1:5432,h2:5433/shop", Map.of()),
                Arguments.of("postgresql:///shop?host=h1,h2&port=6432", "jdbc:postgresql://h1:6432,h2:6432/shop", Map.of()),
                Arguments.of("postgresql:///shop?port=6432", "jdbc:postgresql://localhost:6432/shop", Map.of()),
                Arguments.of("postgresql://h1:5432,h2:5433/shop?target_session_attrs=read-write&connect_timeout=5",
                        "jdbc:postgresql://h1:5432,h2:5433/shop", Map.of("targetServerType", "primary", "connectTimeout", "5")),
                Arguments.of("postgresql://[::1]:5432/shop", "jdbc:postgresql://[::1]:5432/shop", Map.of()),
                Arguments.of("  POSTGRESQL://db/shop  ", "jdbc:postgresql://db/shop", Map.of()));
    }

    /** libpq keyword/value strings, the other form a PGDSN holds. */
    static Stream<Arguments> keywordValue() {
        return Stream.of(
                Arguments.of("host=db port=5433 dbname=shop user=app password=s3cret sslmode=require application_name=worker",
                        "jdbc:postgresql://db:5433/shop",
                        Map.of("user", "app", "password", "s3cret", "sslmode", "require", "ApplicationName", "worker")),
                Arguments.of("host=db dbname=shop user=app password='s3 cret x'",
                        "jdbc:postgresql://db/shop", Map.of("user", "app", "password", "s3 cret x")),
                // inside quotes \' is a quote and \\ a backslash; outside quotes a backslash escapes too
                Arguments.of("host=db password='it\\'s a \\\\ slash'", "jdbc:postgresql://db/",
                        Map.of("password", "it's a \\ slash")),
                Arguments.of("host=db password=s3\\ cret\\'x\\\\y", "jdbc:postgresql://db/",
                        Map.of("password", "s3 cret'x\\y")),
                Arguments.of("  host = db   port= 5433\tdbname =shop user\t=\tapp\n", "jdbc:postgresql://db:5433/shop",
                        Map.of("user", "app")),
                Arguments.of("host=db dbname=shop user=app password='' options=''", "jdbc:postgresql://db/shop",
                        Map.of("user", "app", "password", "", "options", "")),
                Arguments.of("host=h1,h2 port=5432,5433 dbname=shop target_session_attrs=read-write connect_timeout=5",
                        "jdbc:postgresql://h1:5432,h2:5433/shop", Map.of("targetServerType", "primary", "connectTimeout", "5")),
                Arguments.of("host=h1,h2,h3 port=6432 dbname=shop",
                        "jdbc:postgresql://h1:6432,h2:6432,h3:6432/shop", Map.of()),
                Arguments.of("host=db1,db2 port=5433 dbname=shop user=app password='s3 cret' sslmode=require", // README
                        "jdbc:postgresql://db1:5433,db2:5433/shop",
                        Map.of("user", "app", "password", "s3 cret", "sslmode", "require")),
                // an empty item is the default host or port, as in libpq
                Arguments.of("host=h1,,h3 port=5432,,5434", "jdbc:postgresql://h1:5432,localhost,h3:5434/", Map.of()),
                Arguments.of("host=::1 port=5432 dbname=shop", "jdbc:postgresql://[::1]:5432/shop", Map.of()),
                // missing host, port, database: the URL form's defaults
                Arguments.of("user=app", "jdbc:postgresql://localhost/", Map.of("user", "app")),
                Arguments.of("port=5433 dbname='my db'", "jdbc:postgresql://localhost:5433/my%20db", Map.of()),
                Arguments.of("host=a host=b", "jdbc:postgresql://b/", Map.of()),
                Arguments.of("options='-c search_path=jobs' sslrootcert=/etc/ssl/ca.pem", "jdbc:postgresql://localhost/",
                        Map.of("options", "-c search_path=jobs", "sslrootcert", "/etc/ssl/ca.pem")),
                // libpq quirks kept: a quoted value may touch the next keyword; a trailing escaped space stays
                Arguments.of("host='db'port=5433", "jdbc:postgresql://db:5433/", Map.of()),
                Arguments.of("password=s3cret\\ ", "jdbc:postgresql://localhost/", Map.of("password", "s3cret ")),
                // libpq skips spaces after '=', so an unquoted empty value takes the next word; write '' instead
                Arguments.of("password= user=app", "jdbc:postgresql://localhost/", Map.of("password", "user=app")));
    }

    @ParameterizedTest
    @MethodSource({"accepted", "keywordValue"})
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
            "postgresql:///shop?host=h1,h2,h3&port=5432,5433&password=s3cret",
            "",
            "s3cret"})
    void rejectedFormsListTheAcceptedOnesAndHideThePassword(String url) {
        ConnectionUrlException e = assertThrows(ConnectionUrlException.class, () -> ConnectionUrl.parse(url));
        assertTrue(e.getMessage().contains("Accepted forms: postgresql://"), e.getMessage());
        assertTrue(e.getMessage().contains("jdbc:postgresql://"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    /** Problem a keyword/value string has, and the words its error must say. */
    static Stream<Arguments> rejectedKeywordValue() {
        return Stream.of(
                Arguments.of("host=db password='s3cret", "the quoted value of 'password' has no closing quote"),
                Arguments.of("host=db password='s3cret\\'", "the quoted value of 'password' has no closing quote"),
                Arguments.of("password='s3 cret host=db dbname=shop", "the quoted value of 'password' has no closing quote"),
                Arguments.of("password=s3cret application_name='x", "the quoted value of 'application_name' has no closing"),
                Arguments.of("host=db password=s3cret 'broken", "the setting after password has no '='"),
                Arguments.of("host=db password=s3cret s3cret", "the setting after password has no '='"),
                Arguments.of("host=db password=s3cret port", "the setting after password has no '='"),
                Arguments.of("host=a password=s3cret host=b oops", "the setting after host has no '='"),
                Arguments.of("host db=shop password=s3cret", "the first setting has no '='"),
                Arguments.of("password=s3cret =shop", "the setting after password has no keyword before its '='"),
                Arguments.of("host=/var/run/postgresql password=s3cret", "Unix-domain socket directories are not supported"),
                Arguments.of("host=db,/tmp password=s3cret", "use a TCP host"),
                Arguments.of("hostaddr=10.0.0.1 password=s3cret", "hostaddr is not supported by pgjdbc"),
                Arguments.of("host=db hostaddr=10.0.0.1 password=s3cret", "put the server's host name or IP address in host"),
                Arguments.of("host=h1,h2,h3 port=5432,5433 password=s3cret", "2 ports for 3 hosts"),
                Arguments.of("port=5432,5433 password=s3cret", "2 ports for 1 hosts"),
                Arguments.of("host=db port=99999 password=s3cret", "the port is not a number from 1 to 65535"),
                Arguments.of("host=db port=x5 password=s3cret", "the port is not a number from 1 to 65535"),
                Arguments.of("host='d b' password=s3cret", "the host is not a valid host name"),
                Arguments.of("s3cret", "neither a URL (scheme://...) nor libpq keyword=value settings"),
                Arguments.of("   ", "the URL is empty"));
    }

    @ParameterizedTest
    @MethodSource("rejectedKeywordValue")
    void rejectedKeywordValueStringsNameTheProblemListTheFormsAndHideThePassword(String conninfo, String problem) {
        ConnectionUrlException e = assertThrows(ConnectionUrlException.class, () -> ConnectionUrl.parse(conninfo));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains("Accepted forms: postgresql://"), e.getMessage());
        assertTrue(e.getMessage().contains("host=... port=... dbname=... user=... password='...' [keyword=value ...] "
                + "(libpq keyword/value)"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret") || e.getMessage().contains("s3 cret"), e.getMessage());
    }

    @Test
    void errorsShowTheSettingsReadSoFarWithOnlyPlainValues() {
        var e = assertThrows(ConnectionUrlException.class,
                () -> ConnectionUrl.parse("host=db port=5433 user=app password=s3cret sslkey=/k 'broken"));
        assertTrue(e.getMessage().startsWith("Cannot read database URL 'host=db port=5433 user=app password=*** "
                + "sslkey=*** ...': the setting after sslkey has no '='"), e.getMessage());
        var socket = assertThrows(ConnectionUrlException.class,
                () -> ConnectionUrl.parse("host=/tmp dbname='my db' password='s3 cret'"));
        assertTrue(socket.getMessage().startsWith("Cannot read database URL 'host=/tmp dbname='my db' password=***': "),
                socket.getMessage());
    }

    @Test
    void unknownKeywordsPassThroughLikeUrlQueryParameters() {
        ConnectionUrl keywords = ConnectionUrl.parse("host=db dbname=shop password=s3cret keepalives=1");
        ConnectionUrl url = ConnectionUrl.parse("postgresql://db/shop?password=s3cret&keepalives=1");
        assertEquals(url, keywords);
        var fromKeywords = assertThrows(ConnectionUrlException.class, keywords::dataSource);
        var fromUrl = assertThrows(ConnectionUrlException.class, url::dataSource);
        assertEquals(fromUrl.getMessage(), fromKeywords.getMessage());
        assertTrue(fromKeywords.getMessage().contains("'keepalives'"), fromKeywords.getMessage());
        assertFalse(fromKeywords.getMessage().contains("s3cret"), fromKeywords.getMessage());
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
        Map<String, String> keywords = Map.of("PGDSN", "host=two port=5433 dbname=y user=b");
        assertEquals("jdbc:postgresql://two:5433/y", ConnectionUrl.fromEnvironment(keywords::get).orElseThrow().jdbcUrl());
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

    @Test
    void theKeywordValueStringOfTheTestDatabaseConnects(TestDatabase db) throws Exception {
        String conninfo = "host=" + db.host() + " port=" + db.port() + " dbname=" + db.name() + " user=" + db.user()
                + " application_name='pgqj keyword test'";
        if (db.password() != null && !db.password().isEmpty()) {
            // quoted and escaped as libpq wants, whatever the password holds
            conninfo += " password='" + db.password().replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        ConnectionUrl url = ConnectionUrl.parse(conninfo);
        try (Connection c = url.dataSource().getConnection(); ResultSet rs = c.createStatement()
                .executeQuery("SELECT 1, current_database(), current_user, current_setting('application_name')")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
            assertEquals(db.name(), rs.getString(2));
            assertEquals(db.user(), rs.getString(3));
            assertEquals("pgqj keyword test", rs.getString(4));
        }
    }
}
