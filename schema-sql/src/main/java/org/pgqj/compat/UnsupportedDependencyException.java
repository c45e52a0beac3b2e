package org.pgqj.compat;

/**
 * A library pgqueuer-jooq runs on (jOOQ, Flyway, Jackson, pgjdbc, Micrometer, OpenTelemetry) is on the class path
 * in a version older than the oldest one supported. Thrown when the library is first used ({@code QueueTables},
 * {@code PgqueuerSchema}), before anything could fail obscurely; the message names the dependency, the version
 * found, the versions supported and the build property that sets it. A Spring Boot app reports it through the
 * starter's failure analyzer.
 */
public final class UnsupportedDependencyException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String dependency;
    private final String coordinates;
    private final String found;
    private final String oldestSupported;
    private final String newestTested;
    private final String property;

    /**
     * @param dependency      the library's name, e.g. {@code jOOQ}
     * @param coordinates     its Maven coordinates, e.g. {@code org.jooq:jooq}
     * @param found           the version on the class path
     * @param oldestSupported the oldest version supported
     * @param newestTested    the newest version tested
     * @param property        the Spring Boot build property that sets its version, e.g. {@code jooq.version}
     */
    public UnsupportedDependencyException(String dependency, String coordinates, String found,
            String oldestSupported, String newestTested, String property) {
        super("pgqueuer-jooq cannot run on " + dependency + " " + found + " (" + coordinates + " on the class path): "
                + supported(dependency, oldestSupported, newestTested) + ". " + action(coordinates, oldestSupported, property));
        this.dependency = dependency;
        this.coordinates = coordinates;
        this.found = found;
        this.oldestSupported = oldestSupported;
        this.newestTested = newestTested;
        this.property = property;
    }

    private static String supported(String dependency, String oldest, String newest) {
        return "it supports " + dependency + " " + oldest + " and newer (tested " + oldest + " to " + newest + ")";
    }

    private static String action(String coordinates, String oldest, String property) {
        return "Set " + property + " to " + oldest + " or newer: <" + property + ">" + oldest + "</" + property
                + "> in a Maven build on Spring Boot's parent, " + property + "=" + oldest
                + " in gradle.properties with Spring Boot's Gradle plugin, or the version of " + coordinates
                + " in your dependency management";
    }

    /** The library's name, e.g. {@code jOOQ}. */
    public String dependency() {
        return dependency;
    }

    /** Its Maven coordinates, e.g. {@code org.jooq:jooq}. */
    public String coordinates() {
        return coordinates;
    }

    /** The version found on the class path. */
    public String found() {
        return found;
    }

    /** The oldest version supported. */
    public String oldestSupported() {
        return oldestSupported;
    }

    /** The newest version tested. */
    public String newestTested() {
        return newestTested;
    }

    /** The Spring Boot build property that sets the version, e.g. {@code jooq.version}. */
    public String property() {
        return property;
    }

    /** What the versions supported are, in one sentence: "it supports jOOQ 3.19.28 and newer (tested ...)". */
    public String supportedRange() {
        return supported(dependency, oldestSupported, newestTested);
    }

    /** What to do about it, in one sentence naming the build property. */
    public String action() {
        return action(coordinates, oldestSupported, property);
    }
}
