package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;

/**
 * The architecture doc shows the worker's hot statements as they are sent (default install, formatted); this
 * keeps that section equal to what the code renders. After changing a statement, refresh the section with
 * {@code ./mvnw -pl queue test -Dtest=WorkerStatementsDocTest -Dpgqj.docs.refresh=true} and commit it.
 */
class WorkerStatementsDocTest {

    private static final Path DOC = Path.of("..", "docs", "ARCHITECTURE.md");
    private static final String BEGIN = "<!-- worker-statements:begin (WorkerStatementsDocTest renders this) -->";
    private static final String END = "<!-- worker-statements:end -->";

    @Test
    void theArchitectureDocShowsTheStatementsTheWorkerSends() throws IOException {
        DSLContext dsl = QueueTables.defaults().dsl(DSL.using(SQLDialect.POSTGRES, new Settings().withRenderFormatted(true)));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
        String section = BEGIN + "\n"
                + block("The claim, two unlimited entrypoints, a claim of up to 500 (`ClaimQuery`; one more "
                        + "`union all` branch per further entrypoint, below " + ClaimQuery.SHARED_SCAN_MIN
                        + " open ones):", claim.sql(dsl, 2, false, 500))
                + block("The claim of " + ClaimQuery.SHARED_SCAN_MIN + " or more open (unlimited, not rate-limited) "
                        + "entrypoints, a claim of up to 500, with one limited entrypoint beside them "
                        + "(`ClaimQuery`: their candidates come from one bounded scan of the queue in claim order):",
                        claim.sqlShared(dsl, 1, ClaimQuery.SHARED_SCAN_MIN, true, 500))
                + block("The completion write (`CompleteQuery`), sent by the writer thread:", CompleteQuery.sql(dsl))
                + block("The claim of a limited entrypoint (here up to 50), which the claim loop sends right after the "
                        + "completion write above, both in one round trip and one transaction "
                        + "(`ClaimQuery.completeAndClaim`):", claim.sql(dsl, 1, true, 50))
                + END;
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertTrue(begin >= 0 && end > begin, DOC + " lacks the markers " + BEGIN + " ... " + END);
        String current = doc.substring(begin, end + END.length());
        if (Boolean.getBoolean("pgqj.docs.refresh")) {
            Files.writeString(DOC, doc.substring(0, begin) + section + doc.substring(end + END.length()), StandardCharsets.UTF_8);
            return;
        }
        assertEquals(section, current, "docs/ARCHITECTURE.md shows other statements than the worker sends; refresh with "
                + "./mvnw -pl queue test -Dtest=WorkerStatementsDocTest -Dpgqj.docs.refresh=true");
    }

    private static String block(String caption, String sql) {
        return "\n<details><summary>" + caption + "</summary>\n\n```sql\n" + sql.strip() + "\n```\n\n</details>\n";
    }
}
