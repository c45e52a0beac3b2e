package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * The doctor's banner over HTTP: on every page when something is wrong, errors first and each with its advice, every
 * value escaped; nothing on a clean queue. Each case has an install of its own (a prefix).
 */
@ExtendWith(PostgresExtension.class)
class DashboardDoctorBannerTest {

    private static final String HOSTILE = "mail<script>alert(1)</script>";

    private static QueueTables install(TestDatabase db, String prefix) {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix(prefix).migrate();
        return QueueTables.of(new PgqueuerNames(prefix, "public"));
    }

    @Test
    void aCleanQueueHasNoBanner(TestDatabase db) {
        QueueTables clean = install(db, "clean_");
        // no worker connected, but no job due either
        JobQueue.create(clean).enqueue(clean.dsl(db.dataSource()), NewJob.builder("later").delay(Duration.ofHours(1)).build());
        try (DashboardServer server = DashboardServer.start(Dashboard.builder(db.dataSource(), clean).build(), "127.0.0.1", 0)) {
            Http viewer = Http.anonymous("http://127.0.0.1:" + server.port());
            for (String path : new String[] {"/", "/jobs", "/workers"}) {
                HttpResponse<String> page = viewer.get(path);
                assertEquals(200, page.statusCode(), path);
                assertFalse(page.body().contains("id=\"doctor\""), () -> path + " shows a banner:\n" + page.body());
            }
        }
    }

    @Test
    void dueJobsNobodyServesAreABannerOnEveryPageWithWhatToDo(TestDatabase db) throws Exception {
        QueueTables sick = install(db, "sick_");
        JobQueue.create(sick).enqueue(sick.dsl(db.dataSource()), NewJob.of(HOSTILE, new byte[0]));
        Dashboard dashboard = Dashboard.builder(db.dataSource(), sick).doctorEvery(Duration.ofSeconds(1)).build();
        try (DashboardServer server = DashboardServer.start(dashboard, "127.0.0.1", 0)) {
            Http viewer = Http.anonymous("http://127.0.0.1:" + server.port());
            // no worker of either language is connected: the fleet finding, at once
            for (String path : new String[] {"/", "/jobs", "/tables"}) {
                String body = viewer.get(path).body();
                String banner = banner(body);
                assertTrue(banner.contains("<code>NO_LIVE_WORKER</code>"), () -> path + ": " + banner);
                assertTrue(banner.contains("class=\"finding error\""), banner);
                assertTrue(banner.contains("no worker session of either language is connected to this database"), banner);
                assertTrue(banner.contains("What to do: Start the workers (Java: pgqj run"), banner);
                assertTrue(banner.contains("mail&lt;script&gt;alert(1)&lt;/script&gt;: 1"), banner);
                assertFalse(body.contains("<script>alert"), "escaped");
            }

            // a live Java worker that serves something else, and the job waited 10 minutes: that entrypoint is unserved
            try (Worker worker = Worker.builder(db.dataSource(), sick)
                    .entrypoint("something_else", EntrypointOptions.defaults(), (job, ctx) -> { }).build().start();
                 Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("UPDATE sick_pgqueuer SET execute_after = now() - interval '10 minutes'");
                Await.until("the worker is live", Duration.ofSeconds(10), worker::isListening);
                Await.until("the banner, read again within a second, names the unserved entrypoint", Duration.ofSeconds(15),
                        () -> banner(viewer.get("/").body()).contains("<code>UNSERVED_ENTRYPOINT</code>"));
                String banner = banner(viewer.get("/workers").body());
                assertTrue(banner.contains("<b class=\"subject\">mail&lt;script&gt;alert(1)&lt;/script&gt;</b>"), banner);
                assertTrue(banner.contains("Connected now: 1 Java worker and 0 Python workers"), banner);
                assertTrue(banner.contains("What to do: Start a worker that registers 'mail&lt;script&gt;"), banner);
                assertFalse(banner.contains("NO_LIVE_WORKER"), banner);
            }
        }
    }

    /** The banner's section of a page ({@code ""} when there is none). */
    private static String banner(String body) {
        int start = body.indexOf("<section class=\"doctor\" id=\"doctor\"");
        return start < 0 ? "" : body.substring(start, body.indexOf("</section>", start));
    }
}
