package org.pgqj.spring.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.pgqj.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points spring.datasource.* at a test class's own database from {@code PostgresExtension}. */
final class TestDatabases {

    private TestDatabases() {
    }

    /** Registers the database lazily: the supplier is read when the context starts, after {@code @BeforeAll}. */
    static void register(DynamicPropertyRegistry registry, Supplier<TestDatabase> db) {
        registry.add("spring.datasource.url", () -> db.get().jdbcUrl());
        registry.add("spring.datasource.username", () -> db.get().user());
        registry.add("spring.datasource.password", () -> db.get().password());
    }

    /** The same as command-line arguments, for {@code SpringApplication.run}. */
    static List<String> args(TestDatabase db, String... more) {
        List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.user(), "--spring.datasource.password=" + db.password()));
        for (String m : more) {
            args.add("--" + m);
        }
        return args;
    }
}
