package org.pgqj.spring.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.pgqj.connect.ConnectionUrl;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The app's {@code DataSource} from {@code pgqj.datasource.url} when {@code spring.datasource.url} is not
 * set: a Hikari pool over the URL in whatever form a Python service keeps in {@code DATABASE_URL}
 * ({@code pgqj.datasource.url=${DATABASE_URL}}), so one variable configures the app and the queue.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass(HikariDataSource.class)
@ConditionalOnExpression("!'${pgqj.datasource.url:}'.isBlank() and '${spring.datasource.url:}'.isBlank()")
@EnableConfigurationProperties(PgqjProperties.class)
public class PgqjDataSourceAutoConfiguration {

    /** A Hikari pool on pgqj.datasource.url. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DataSource.class)
    public HikariDataSource dataSource(PgqjProperties properties) {
        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName(PgqjDataSources.URL_POOL_NAME);
        pool.setDataSource(ConnectionUrl.parse(properties.getDatasource().getUrl()).dataSource());
        return pool;
    }
}
