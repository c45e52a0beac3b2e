package org.pgqj.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.web.Pages.awaitFlash;
import static org.pgqj.web.Pages.tableRows;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * An operator pauses an entrypoint from the workers page in a real browser while a real Java worker runs it, sees
 * the warning that a Python worker may still claim it, and resumes it with the row's button; the worker stops and
 * starts again.
 */
@QueueTest
class DashboardPauseBrowserTest {

    static final QueueTables TABLES = QueueTables.defaults();
    static TestDatabase db;
    static Rows rows;
    static DashboardServer server;
    static Browser browser;

    @BeforeAll
    static void setUp(TestDatabase database, TestQueue migrated) throws Exception { // taking the TestQueue migrates now
        Browser.assumeAvailable();
        db = database;
        ControlsSchema.forDataSource(db.dataSource()).install();
        rows = new Rows(db.dataSource());
        Dashboard dashboard = Dashboard.builder(db.dataSource(), TABLES).build();
        server = DashboardServer.start(dashboard, "127.0.0.1", 0);
        assertTrue(dashboard.awaitListening(Duration.ofSeconds(10)));
        browser = Browser.start();
    }

    @AfterAll
    static void tearDown() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pauseFromTheWorkersPageStopsTheWorkerAndResumeStartsIt() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .entrypoint("b_mail", EntrypointOptions.defaults(), (job, ctx) -> ran.incrementAndGet())
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofMinutes(10))
                        .pauseRecheckInterval(Duration.ofMinutes(10)).build())
                .build().start();
             Connection python = db.connect();
             Statement st = python.createStatement()) {
            st.execute("LISTEN " + TABLES.channel()); // what a Python worker's one connection runs
            ChromeDriver d = browser.driver();
            d.get("http://127.0.0.1:" + server.port() + "/workers");
            assertEquals(List.of(), tableRows(d, "paused-entrypoints"), "nothing paused (the empty row is left out)");
            d.findElement(By.cssSelector("#pause-form input[name=entrypoint]")).sendKeys("b_mail");
            d.findElement(By.id("pause-submit")).click();
            awaitFlash(d, "Entrypoint paused for every Java worker; they are notified at once.");
            List<String> paused = tableRows(d, "paused-entrypoints");
            assertEquals(1, paused.size(), paused.toString());
            assertTrue(paused.getFirst().startsWith("b_mail") && paused.getFirst().contains("dashboard (anonymous)")
                    && paused.getFirst().contains("Python workers do not know about pause")
                    && paused.getFirst().contains("1 live Python worker"), paused.toString());
            browser.fullPageScreenshot("workers-paused");

            Await.until("the worker heard of it", Duration.ofSeconds(20), () -> worker.pausedEntrypoints().contains("b_mail"));
            rows.javaEnqueue(TABLES, List.of(NewJob.of("b_mail", null)));
            Await.holds("not run while paused", Duration.ofSeconds(1), () -> ran.get() == 0);

            d.findElement(By.cssSelector("tr[data-entrypoint='b_mail'] button.resume")).click();
            awaitFlash(d, "Entrypoint resumed for every Java worker; they are notified at once.");
            assertEquals(List.of(), tableRows(d, "paused-entrypoints"));
            Await.until("run at once after the resume", Duration.ofSeconds(20), () -> ran.get() == 1);
        }
    }
}
