package org.pgqj.spring.autoconfigure;

import org.pgqj.compat.UnsupportedDependencyException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns {@link UnsupportedDependencyException} (a library older than pgqueuer-jooq supports, most often a version
 * the app's Spring Boot BOM picked) into Spring Boot's "APPLICATION FAILED TO START" report: what was found, what
 * is supported, and the build property to set. Registered in {@code META-INF/spring.factories}.
 */
public class PgqjDependencyFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedDependencyException> {

    /** Created by Spring Boot's failure analysis. */
    public PgqjDependencyFailureAnalyzer() {
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedDependencyException cause) {
        return new FailureAnalysis(
                "pgqueuer-jooq found " + cause.dependency() + " " + cause.found() + " (" + cause.coordinates()
                        + ") on the class path; " + cause.supportedRange() + ".",
                cause.action() + ".",
                cause);
    }
}
