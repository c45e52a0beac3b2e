package org.pgqj.examples.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A real PostgreSQL 15 (zonky's embedded binaries) when no database is configured: neither
 * {@code DATABASE_URL} (read through {@code pgqj.datasource.url}) nor {@code spring.datasource.url}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${pgqj.datasource.url:}'.isBlank() and '${spring.datasource.url:}'.isBlank()")
public class EmbeddedDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    @Bean(destroyMethod = "close")
    public EmbeddedPostgres embeddedPostgres() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            LOG.info("No DATABASE_URL or spring.datasource.url: started an embedded PostgreSQL on port {}", pg.getPort());
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start an embedded PostgreSQL: " + e.getMessage()
                    + ". Set DATABASE_URL=postgresql://user:password@host:5432/db to use a database instead.", e);
        }
    }

    /** The app's pool on it; the starter opens the worker's own connections with the same settings. */
    @Bean(destroyMethod = "close")
    public DataSource dataSource(EmbeddedPostgres pg) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        return pool;
    }
}
