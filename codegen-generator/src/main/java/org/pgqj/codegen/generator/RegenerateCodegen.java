package org.pgqj.codegen.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generate;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.SchemaMappingType;
import org.jooq.meta.jaxb.Target;
import org.pgqj.schema.PgqueuerSchema;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Regenerates the committed jOOQ classes: creates a scratch database, runs the queue schema's
 * migrations into it (no prefix, schema {@value #SCHEMA}), reads it with jOOQ's {@code PostgresDatabase}
 * (exact types: jsonb, the enum, real key and index names), writes {@code org.pgqj.codegen}, and drops
 * the database. Run by {@code ./mvnw -Pcodegen -pl codegen -am process-test-classes}.
 *
 * <p>Arguments: an admin JDBC URL (its user must be allowed to create databases) and the output directory.
 */
public final class RegenerateCodegen {

    static final String SCHEMA = "pgqueuer_codegen";
    static final String PACKAGE = "org.pgqj.codegen";

    private RegenerateCodegen() {
    }

    public static void main(String[] args) throws Exception {
        String adminUrl = args[0];
        Path output = Path.of(args[1]);
        Properties parsed = Driver.parseURL(adminUrl, new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + adminUrl);
        }
        String database = "pgqj_codegen_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = "jdbc:postgresql://" + parsed.getProperty("PGHOST") + ":" + parsed.getProperty("PGPORT") + "/" + database;
        Properties credentials = new Properties();
        credentials.setProperty("user", parsed.getProperty("user", "postgres"));
        if (parsed.getProperty("password") != null) {
            credentials.setProperty("password", parsed.getProperty("password"));
        }

        execute(adminUrl, credentials, "CREATE DATABASE " + database);
        try {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url);
            ds.setUser(credentials.getProperty("user"));
            if (credentials.getProperty("password") != null) {
                ds.setPassword(credentials.getProperty("password"));
            }
            PgqueuerSchema.forDataSource(ds).schema(SCHEMA).migrate();
            cleanGenerated(output);
            GenerationTool.generate(configuration(url, credentials, output));
        } finally {
            execute(adminUrl, credentials, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    static Configuration configuration(String url, Properties credentials, Path output) {
        return new Configuration()
                .withJdbc(new Jdbc().withDriver("org.postgresql.Driver").withUrl(url)
                        .withUser(credentials.getProperty("user")).withPassword(credentials.getProperty("password")))
                .withGenerator(new Generator()
                        .withDatabase(new Database()
                                .withName("org.jooq.meta.postgres.PostgresDatabase")
                                // Classes in schema "public": at run time render mapping renames the schema and
                                // the tables (prefix). A named schema, not the default one, so that mapping it
                                // leaves CTE names and other unqualified tables alone.
                                .withSchemata(new SchemaMappingType().withInputSchema(SCHEMA).withOutputSchema("public"))
                                .withIncludes(".*")
                                .withExcludes("pgqueuer_schema_history.*|fn_pgqueuer_changed")
                                .withIncludeRoutines(false)
                                // Status values bind untyped, so a prefixed enum type works too (see the binding).
                                .withForcedTypes(new ForcedType()
                                        .withUserType("org.pgqj.codegen.enums.PgqueuerStatus")
                                        .withBinding("org.pgqj.codegen.binding.PgqueuerStatusBinding")
                                        .withIncludeTypes("pgqueuer_status")))
                        .withGenerate(new Generate()
                                .withRecords(true)
                                .withPojos(false)
                                .withDaos(false)
                                .withKeys(true)
                                .withIndexes(true)
                                .withSequences(true)
                                .withJavaTimeTypes(true)
                                .withGeneratedAnnotation(false)
                                .withComments(true))
                        .withTarget(new Target()
                                .withPackageName(PACKAGE)
                                .withDirectory(output.toString())
                                // Hand-written code (binding/) lives beside the generated code; see cleanGenerated().
                                .withClean(false)));
    }

    /** Removes what jOOQ generated last time (so a dropped table leaves no stale class), keeping binding/. */
    static void cleanGenerated(Path output) throws IOException {
        Path root = output.resolve(PACKAGE.replace('.', '/'));
        if (!Files.isDirectory(root)) {
            return;
        }
        for (String generatedPackage : List.of("tables", "enums")) {
            Path dir = root.resolve(generatedPackage);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
        try (Stream<Path> top = Files.list(root)) {
            for (Path p : top.filter(f -> f.toString().endsWith(".java")).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void execute(String url, Properties credentials, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, credentials); Statement st = c.createStatement()) {
            st.execute(sql); // the database name is built from [a-z0-9_] only
        }
    }
}
