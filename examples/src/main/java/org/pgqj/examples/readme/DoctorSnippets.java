package org.pgqj.examples.readme;

import java.time.Duration;
import javax.sql.DataSource;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.DoctorReport;
import org.pgqj.admin.QueueDoctor;
import org.pgqj.core.QueueTables;

final class DoctorSnippets {

    private DoctorSnippets() {
    }

    static int examine(DataSource dataSource) {
        // tag::doctor[]
        QueueDoctor doctor = QueueDoctor.create(QueueTables.defaults(), DoctorOptions.builder()
                .waitingAfter(Duration.ofMinutes(5))     // a due job waiting longer is a finding
                .concurrencyLimit("send_welcome", 2)     // the limit your workers declare
                .build());
        DoctorReport report = doctor.examine(dataSource); // reads only
        for (DoctorFinding f : report.findings()) {       // errors first
            System.out.println(f.severity() + " " + f.check() + " " + f.subject() + ": " + f.problem()
                    + "\n  what to do: " + f.advice());
        }
        return report.exitCode();                         // 0 fine, 1 warnings, 2 errors
        // end::doctor[]
    }
}
