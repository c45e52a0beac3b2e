package org.pgqj.internal.compat;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pgqj.compat.UnsupportedDependencyException;
import org.pgqj.internal.compat.DependencyVersions.Library;

class DependencyVersionsTest {

    @Test
    void theRangesAreFilledInFromThePom() {
        for (Library library : Library.values()) {
            assertTrue(library.oldest().matches("\\d+\\.\\d+\\.\\d+"), library + " oldest: " + library.oldest());
            assertTrue(library.newest().matches("\\d+\\.\\d+\\.\\d+"), library + " newest: " + library.newest());
            assertTrue(DependencyVersions.compare(library.oldest(), library.newest()) <= 0, library.toString());
        }
    }

    @Test
    void theLibrariesOnThisClassPathAreReadAndSupported() {
        ClassLoader loader = getClass().getClassLoader();
        // schema-sql's own dependencies: Flyway and pgjdbc (jOOQ is not on its class path).
        for (Library library : new Library[] {Library.FLYWAY, Library.PGJDBC}) {
            String found = library.versionIn(loader).orElseThrow(() -> new AssertionError(library + " not read"));
            assertTrue(DependencyVersions.compare(found, library.oldest()) >= 0, library + " " + found);
        }
        assertEquals(Optional.empty(), Library.JOOQ.versionIn(loader), "jOOQ is not on schema-sql's class path");
        assertDoesNotThrow(() -> DependencyVersions.requireSupported(Library.FLYWAY, Library.PGJDBC, Library.JOOQ));
    }

    @Test
    void anOlderVersionFailsNamingTheDependencyTheVersionTheRangeAndTheProperty() {
        UnsupportedDependencyException e = assertThrows(UnsupportedDependencyException.class,
                () -> DependencyVersions.check(Library.JOOQ, Optional.of("3.18.5")));
        assertEquals("jOOQ", e.dependency());
        assertEquals("3.18.5", e.found());
        assertEquals(Library.JOOQ.oldest(), e.oldestSupported());
        assertEquals("jooq.version", e.property());
        String oldest = Library.JOOQ.oldest();
        assertEquals("pgqueuer-jooq cannot run on jOOQ 3.18.5 (org.jooq:jooq on the class path): it supports jOOQ "
                + oldest + " and newer (tested " + oldest + " to " + Library.JOOQ.newest() + "). Set jooq.version to "
                + oldest + " or newer: <jooq.version>" + oldest + "</jooq.version> in a Maven build on Spring Boot's"
                + " parent, jooq.version=" + oldest + " in gradle.properties with Spring Boot's Gradle plugin, or the"
                + " version of org.jooq:jooq in your dependency management", e.getMessage());
    }

    @Test
    void theOldestAndNewerVersionsPass() {
        assertDoesNotThrow(() -> DependencyVersions.check(Library.JOOQ, Optional.of(Library.JOOQ.oldest())));
        assertDoesNotThrow(() -> DependencyVersions.check(Library.JOOQ, Optional.of(Library.JOOQ.newest())));
        assertDoesNotThrow(() -> DependencyVersions.check(Library.JOOQ, Optional.of("3.99.0"))); // a WARN only
        assertDoesNotThrow(() -> DependencyVersions.check(Library.JOOQ, Optional.empty()));      // unreadable: unchecked
    }

    /** The real lookup, in a class loader of its own whose Flyway says it is 10.0.0. */
    @Test
    void aClassLoaderWithAnOldFlywayIsRefused(@TempDir Path dir) throws IOException {
        Path versionFile = dir.resolve("org/flywaydb/core/internal/version.txt");
        Files.createDirectories(versionFile.getParent());
        Files.writeString(versionFile, "10.0.0\n");
        ClassLoader oldFlyway = new ResourcesFirst(dir, getClass().getClassLoader());

        Optional<String> found = Library.FLYWAY.versionIn(oldFlyway);

        assertEquals(Optional.of("10.0.0"), found);
        UnsupportedDependencyException e = assertThrows(UnsupportedDependencyException.class,
                () -> DependencyVersions.check(Library.FLYWAY, found));
        assertTrue(e.getMessage().contains("Flyway 10.0.0 (org.flywaydb:flyway-core on the class path)"), e.getMessage());
        assertTrue(e.getMessage().contains("<flyway.version>" + Library.FLYWAY.oldest() + "</flyway.version>"), e.getMessage());
    }

    @Test
    void versionsCompareNumerically() {
        assertTrue(DependencyVersions.compare("3.19.28", "3.21.9") < 0);
        assertTrue(DependencyVersions.compare("3.19.28", "3.19.9") > 0);
        assertEquals(0, DependencyVersions.compare("42.7.8", "42.7.8"));
        assertEquals(0, DependencyVersions.compare("1.16", "1.16.0"));
        assertEquals(0, DependencyVersions.compare("2.20.1-SNAPSHOT", "2.20.1"));
        assertEquals(0, DependencyVersions.compare("11.14.1.RELEASE", "11.14.1"));
        assertEquals(0, DependencyVersions.compareMinor("3.21.10", "3.21.9"));
        assertTrue(DependencyVersions.compareMinor("3.22.0", "3.21.9") > 0);
        assertThrows(IllegalArgumentException.class, () -> DependencyVersions.compare("unknown", "1.0"));
    }

    /** Classes from the parent, resources from a directory first (a jar with other contents, in effect). */
    private static final class ResourcesFirst extends ClassLoader {
        private final Path dir;

        ResourcesFirst(Path dir, ClassLoader parent) {
            super(parent);
            this.dir = dir;
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            Path file = dir.resolve(name);
            try {
                return Files.exists(file) ? Files.newInputStream(file) : super.getResourceAsStream(name);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
