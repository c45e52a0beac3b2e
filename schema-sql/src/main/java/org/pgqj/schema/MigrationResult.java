package org.pgqj.schema;

/**
 * What {@link PgqueuerSchema#migrate()} did.
 *
 * @param migrationsApplied how many migrations ran now (0 when the schema was up to date)
 * @param schemaVersion     the queue schema's version after the run, e.g. {@code "1"}
 * @param adoptedExistingInstall true when pgqueuer objects were already there without a history table
 *                          (Python's {@code pgq install} made them) and were converged in place
 */
public record MigrationResult(int migrationsApplied, String schemaVersion, boolean adoptedExistingInstall) {
}
