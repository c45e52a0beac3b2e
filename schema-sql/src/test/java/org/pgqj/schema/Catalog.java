package org.pgqj.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.sql.DataSource;

/** Runs the contract's catalog.sql and reads its fixtures (copies of shared/pgqueuer). */
final class Catalog {

    static final ObjectMapper JSON = new ObjectMapper();

    private Catalog() {
    }

    static String resource(String name) {
        try (InputStream in = Catalog.class.getResourceAsStream("/pgqueuer-contract/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource pgqueuer-contract/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode fixture(String name) {
        try {
            return JSON.readTree(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The catalog JSON of {@code schema}, with the default search_path as the fixtures were printed. */
    static JsonNode of(DataSource ds, String schema) throws SQLException {
        String sql = resource("catalog.sql").replace(":'schema'", "?");
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JSON.readTree(rs.getString(1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Loads one of the pg_dump'ed `pgq install` schemas. */
    static void loadInstall(DataSource ds, String file) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(resource("installs/" + file));
        }
    }

    /** The same document with each table's columns sorted by name (column order differs after ADD COLUMN). */
    static JsonNode columnsByName(JsonNode catalog) {
        ObjectNode copy = catalog.deepCopy();
        copy.get("tables").properties().forEach(table -> {
            List<JsonNode> columns = new ArrayList<>();
            table.getValue().get("columns").forEach(columns::add);
            columns.sort(Comparator.comparing(c -> c.get("name").asText()));
            ArrayNode sorted = JSON.createArrayNode();
            columns.forEach(sorted::add);
            ((ObjectNode) table.getValue()).set("columns", sorted);
        });
        return copy;
    }

    /**
     * pgqueuer 1.6.0's catalog (a fixture) plus the index 2.0.0 adds, {@code <prefix>pgqueuer_statistics_created}:
     * no 2.x catalog could be printed here (PyPI serves pgqueuer up to 1.6.0), and the index's definition is
     * inferred (see V2__pgqueuer_2_0_statistics_created.sql), so it is added to the 1.6.0 fixture by hand.
     */
    static JsonNode with20Index(JsonNode catalog160, String prefix, String schema) {
        ObjectNode copy = catalog160.deepCopy();
        String table = prefix + "pgqueuer_statistics";
        ArrayNode indexes = (ArrayNode) copy.get("tables").get(table).get("indexes");
        ObjectNode index = JSON.createObjectNode();
        index.put("def", "CREATE INDEX " + prefix + "pgqueuer_statistics_created ON " + schema + "." + table
                + " USING btree (created)");
        index.put("name", prefix + "pgqueuer_statistics_created");
        List<JsonNode> sorted = new ArrayList<>();
        indexes.forEach(sorted::add);
        sorted.add(index);
        sorted.sort(Comparator.comparing(n -> n.get("name").asText()));
        indexes.removeAll();
        sorted.forEach(indexes::add);
        return copy;
    }
}
