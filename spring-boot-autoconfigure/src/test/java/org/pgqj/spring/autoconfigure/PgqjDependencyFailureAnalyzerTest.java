package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.compat.UnsupportedDependencyException;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

/**
 * A startup that fails on a too-old dependency ends in Spring Boot's failure report with pgqj's analysis: found,
 * supported, and the property to set. The exception is thrown by a bean here; in an app, by {@code QueueTables}.
 */
@ExtendWith(OutputCaptureExtension.class)
class PgqjDependencyFailureAnalyzerTest {

    @SpringBootConfiguration
    static class AppOnAnOldJooq {
        @Bean
        Object queueTables() {
            throw new UnsupportedDependencyException("jOOQ", "org.jooq:jooq", "3.18.5", "3.19.28", "3.21.9",
                    "jooq.version");
        }
    }

    @Test
    void theFailureReportNamesTheDependencyTheVersionTheRangeAndTheProperty(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(AppOnAnOldJooq.class)
                .web(WebApplicationType.NONE).run())
                .hasRootCauseInstanceOf(UnsupportedDependencyException.class);

        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("pgqueuer-jooq found jOOQ 3.18.5 (org.jooq:jooq) on the class path; it supports jOOQ"
                        + " 3.19.28 and newer (tested 3.19.28 to 3.21.9).")
                .contains("Set jooq.version to 3.19.28 or newer: <jooq.version>3.19.28</jooq.version> in a Maven"
                        + " build on Spring Boot's parent, jooq.version=3.19.28 in gradle.properties");
    }
}
