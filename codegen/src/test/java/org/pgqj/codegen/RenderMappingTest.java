package org.pgqj.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.MappedSchema;
import org.jooq.conf.MappedTable;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The same generated classes serve any prefix and schema through jOOQ's render mapping. */
@ExtendWith(PostgresExtension.class)
class RenderMappingTest {

    @Test
    void generatedClassesWorkForPrefixAcmeInSchemaJobs(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix("acme_").schema("jobs").migrate();
        Settings settings = new Settings().withRenderMapping(new RenderMapping().withSchemata(new MappedSchema()
                .withInput("public")
                .withOutput("jobs")
                .withTables(
                        new MappedTable().withInput("pgqueuer").withOutput("acme_pgqueuer"),
                        new MappedTable().withInput("pgqueuer_log").withOutput("acme_pgqueuer_log"))));
        try (Connection c = db.connect()) {
            DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES, settings);
            String sql = dsl.insertInto(PGQUEUER, PGQUEUER.PRIORITY, PGQUEUER.STATUS, PGQUEUER.ENTRYPOINT)
                    .values(1, PgqueuerStatus.queued, "mapped").getSQL();
            assertTrue(sql.contains("\"jobs\".\"acme_pgqueuer\""), sql);

            Long id = dsl.insertInto(PGQUEUER, PGQUEUER.PRIORITY, PGQUEUER.STATUS, PGQUEUER.ENTRYPOINT)
                    .values(1, PgqueuerStatus.queued, "mapped").returning(PGQUEUER.ID).fetchOne(PGQUEUER.ID);
            dsl.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.ENTRYPOINT)
                    .values(id, PgqueuerStatus.queued, 1, "mapped").execute();
            assertEquals(1, dsl.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                    .where(PGQUEUER.ID.eq(id).and(PGQUEUER.STATUS.eq(PgqueuerStatus.queued))).execute());
            List<PgqueuerStatus> statuses = dsl.select(PGQUEUER.STATUS).from(PGQUEUER)
                    .where(PGQUEUER.STATUS.in(PgqueuerStatus.picked, PgqueuerStatus.failed)).fetch(PGQUEUER.STATUS);
            assertEquals(List.of(PgqueuerStatus.picked), statuses);
            assertEquals(1, dsl.fetchCount(PGQUEUER_LOG));
            assertEquals(1L, DSL.using(c).fetchValue("SELECT count(*) FROM jobs.acme_pgqueuer"));

            String inlined = dsl.renderInlined(dsl.selectCount().from(PGQUEUER)
                    .where(PGQUEUER.STATUS.eq(DSL.inline(PgqueuerStatus.queued, PGQUEUER.STATUS))));
            assertTrue(inlined.endsWith("where \"jobs\".\"acme_pgqueuer\".\"status\" = 'queued'"), inlined);
        }
    }

    @Test
    void commonTableExpressionsStayUnqualified(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix("cte_").schema("other").migrate();
        Settings settings = new Settings().withRenderMapping(new RenderMapping().withSchemata(new MappedSchema()
                .withInput("public").withOutput("other")
                .withTables(new MappedTable().withInput("pgqueuer").withOutput("cte_pgqueuer"))));
        try (Connection c = db.connect()) {
            DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES, settings);
            var picked = DSL.name("picked").as(DSL.select(PGQUEUER.ID).from(PGQUEUER));
            String sql = dsl.with(picked).select(DSL.count()).from(picked).getSQL();
            assertTrue(sql.contains("from \"picked\"") && sql.contains("\"other\".\"cte_pgqueuer\""), sql);
            assertEquals(0, dsl.with(picked).select(DSL.count()).from(picked).fetchOne(0, Integer.class));
        }
    }

    @Test
    void withoutMappingTheDefaultNamesAreUsed(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        try (Connection c = db.connect()) {
            DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES);
            dsl.insertInto(PGQUEUER, PGQUEUER.PRIORITY, PGQUEUER.STATUS, PGQUEUER.ENTRYPOINT)
                    .values(3, PgqueuerStatus.failed, "plain").execute();
            assertEquals(PgqueuerStatus.failed, dsl.fetchValue(PGQUEUER.STATUS));
            assertEquals(1L, DSL.using(c).fetchValue("SELECT count(*) FROM public.pgqueuer WHERE status = 'failed'"));
        }
    }
}
