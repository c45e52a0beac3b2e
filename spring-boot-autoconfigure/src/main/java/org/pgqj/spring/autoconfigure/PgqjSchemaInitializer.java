package org.pgqj.spring.autoconfigure;

import org.pgqj.core.QueueTables;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Migrates the queue schema when the bean is initialized (or, with {@code pgqj.schema.migrate=false},
 * verifies it), before anything that enqueues or works jobs: the worker and the scheduler depend on it.
 * It runs after the app's own {@code spring.flyway} migration when there is one (see
 * {@link PgqjAutoConfiguration#pgqjSchemaAfterAppFlyway()}): the queue's Flyway has its own location
 * ({@code db/pgqueuer}) and history table ({@code <prefix>pgqueuer_schema_history}), so neither sees the
 * other's history.
 */
public final class PgqjSchemaInitializer implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(PgqjSchemaInitializer.class);

    private final PgqjDataSources dataSources;
    private final QueueTables tables;
    private final PgqjProperties.Schema settings;
    private final PgqjProperties.Controls controls;

    PgqjSchemaInitializer(PgqjDataSources dataSources, QueueTables tables, PgqjProperties.Schema settings,
                          PgqjProperties.Controls controls) {
        this.dataSources = dataSources;
        this.tables = tables;
        this.settings = settings;
        this.controls = controls;
    }

    @Override
    public void afterPropertiesSet() {
        migrateOrVerify();
        if (controls.isInstall()) {
            // pgqj.controls.install=true: pgqj's own tables (pause), their own Flyway location and history table
            ControlsSchema.forDataSource(dataSources.shared()).names(tables.names()).install();
        }
    }

    private void migrateOrVerify() {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(dataSources.shared()).names(tables.names())
                .durability(settings.getDurability());
        if (settings.isMigrate()) {
            schema.migrate();
            return;
        }
        SchemaVerification verification = schema.verify();
        if (!verification.isComplete()) {
            throw new PgqjStartupException("pgqj.schema.migrate=false and the queue schema is not complete: "
                    + verification.describe() + ". Set pgqj.schema.migrate=true, or install it (pgqj install / pgq install)");
        }
        LOG.info("pgqueuer schema in '{}' (prefix '{}') verified; not migrating (pgqj.schema.migrate=false)",
                tables.names().schema(), tables.names().prefix());
    }
}
