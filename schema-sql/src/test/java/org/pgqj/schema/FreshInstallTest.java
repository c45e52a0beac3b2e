package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * A fresh migrate creates exactly the catalog pgqueuer 1.6.0's `pgq install` creates, plus 2.0's (inferred)
 * statistics index.
 */
@ExtendWith(PostgresExtension.class)
class FreshInstallTest {

    @Nested
    class DefaultNames {
        @Test
        void createsThe160CatalogExactly(TestDatabase db) throws SQLException {
            MigrationResult result = PgqueuerSchema.forDataSource(db.dataSource()).migrate();
            assertEquals(2, result.migrationsApplied());
            assertEquals("2", result.schemaVersion());
            assertFalse(result.adoptedExistingInstall());
            assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0.json"), "", "public"), Catalog.of(db.dataSource(), "public"));

            MigrationResult again = PgqueuerSchema.forDataSource(db.dataSource()).migrate();
            assertEquals(0, again.migrationsApplied(), "a second migrate is a no-op");
            assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0.json"), "", "public"), Catalog.of(db.dataSource(), "public"));
        }
    }

    @Nested
    class PrefixAndSchema {
        @Test
        void createsThePrefixedCatalogInItsSchema(TestDatabase db) throws SQLException {
            PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).prefix("acme_").schema("jobs");
            schema.migrate();
            assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0-prefix-acme_-schema-jobs.json"), "acme_", "jobs"),
                    Catalog.of(db.dataSource(), "jobs"));
            assertTrue(schema.verify().isComplete(), schema.verify().describe());
            assertTrue(tables(db.dataSource(), "jobs").contains("acme_pgqueuer_schema_history"));
            assertTrue(PgqueuerSchema.forDataSource(db.dataSource()).verify().isAbsent(),
                    "nothing lands in public");
        }
    }

    @Nested
    class Balanced {
        @Test
        void makesLogAndStatisticsUnlogged(TestDatabase db) throws SQLException {
            PgqueuerSchema.forDataSource(db.dataSource()).durability(Durability.BALANCED).migrate();
            assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0-balanced.json"), "", "public"), Catalog.of(db.dataSource(), "public"));
        }
    }

    @Nested
    class Volatile {
        @Test
        void makesAllFourTablesUnloggedAndCanGoBackToDurable(TestDatabase db) throws SQLException {
            PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("fast").durability(Durability.VOLATILE);
            schema.migrate();
            JsonNode tables = Catalog.of(db.dataSource(), "fast").get("tables");
            tables.properties().forEach(t -> assertTrue(t.getValue().get("unlogged").asBoolean(), t.getKey()));
            assertEquals(4, tables.size());

            schema.durability(Durability.DURABLE).alterDurability();
            Catalog.of(db.dataSource(), "fast").get("tables").properties()
                    .forEach(t -> assertFalse(t.getValue().get("unlogged").asBoolean(), t.getKey()));
        }
    }

    @Nested
    class NextToTheApplicationsOwnFlyway {
        @Test
        void keepsTwoHistoriesApart(TestDatabase db) throws SQLException {
            DataSource ds = db.dataSource();
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            PgqueuerSchema.forDataSource(ds).migrate();
            // and the other way round: the app's Flyway still validates and finds nothing to do
            assertEquals(0, Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate().migrationsExecuted);

            List<String> tables = tables(ds, "public");
            assertTrue(tables.containsAll(List.of("article", "flyway_schema_history", "pgqueuer_schema_history", "pgqueuer")), tables.toString());
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT string_agg(script, ',' ORDER BY installed_rank) FROM flyway_schema_history");
                rs.next();
                assertEquals("V1__app_article.sql", rs.getString(1));
                rs = st.executeQuery("SELECT string_agg(script, ',' ORDER BY installed_rank) FROM pgqueuer_schema_history WHERE success");
                rs.next();
                assertTrue(rs.getString(1).endsWith("V1__pgqueuer_1_6_0.sql,V2__pgqueuer_2_0_statistics_created.sql"), rs.getString(1));
            }
        }
    }

    static List<String> tables(DataSource ds, String schema) throws SQLException {
        try (Connection c = ds.getConnection();
             var ps = c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY 1")) {
            ps.setString(1, schema);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
