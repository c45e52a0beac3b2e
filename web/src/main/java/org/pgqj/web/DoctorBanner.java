package org.pgqj.web;

import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.exception.DataAccessException;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.QueueDoctor;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The doctor's findings for the banner on every page, examined at most once per interval for all pages and viewers
 * together: an examination is a dozen short reads, a page view should not pay for it each time.
 */
final class DoctorBanner {

    private static final Logger LOG = LoggerFactory.getLogger(DoctorBanner.class);

    private final DataSource dataSource;
    private final QueueDoctor doctor;
    private final long everyNanos;
    private final Object lock = new Object();
    private List<DoctorFinding> findings = List.of();
    private long examinedNanos;
    private boolean examined;

    DoctorBanner(DataSource dataSource, QueueTables tables, DoctorOptions options, Duration every) {
        this.dataSource = dataSource;
        this.doctor = QueueDoctor.create(tables, options);
        this.everyNanos = every.toNanos();
    }

    /**
     * The findings, errors first, as of the last examination; examines again once that is older than the interval
     * (one caller examines, the others wait for it rather than examine too). An examination that fails is logged and
     * shows no banner: the page itself then says that the database does not answer.
     */
    List<DoctorFinding> findings() {
        synchronized (lock) {
            if (!examined || System.nanoTime() - examinedNanos >= everyNanos) {
                try {
                    findings = doctor.examine(dataSource).findings();
                } catch (PgqjException | DataAccessException e) {
                    LOG.warn("Dashboard: the queue doctor could not examine the queue: {}", e.getMessage());
                    findings = List.of();
                }
                examined = true;
                examinedNanos = System.nanoTime();
            }
            return findings;
        }
    }
}
