package org.pgqj.spring.autoconfigure;

import org.pgqj.core.QueueTables;
import org.pgqj.web.Dashboard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Mounts the pgqj web dashboard ({@code pgqj-web}) under {@code pgqj.web.path} (default {@code /pgqj}) of a
 * servlet web app, when {@code pgqj-web} is on the classpath and {@code pgqj.web.enabled} is not false.
 *
 * <p>The dashboard reads through the queue's unpooled data source: its live-update LISTEN holds a connection for
 * as long as the app runs, which must not be one of the request pool's. HTTP Basic comes from
 * {@code PGQUEUER_WEB_USER}/{@code PGQUEUER_WEB_PASSWORD} when both are set; an app with Spring Security guards
 * the path with its own rules instead (and exempts it from Spring's CSRF filter: the dashboard's forms carry
 * the dashboard's own token).
 */
@AutoConfiguration(after = PgqjAutoConfiguration.class)
@ConditionalOnClass({Dashboard.class, ServletRegistrationBean.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(PgqjDataSources.class)
@ConditionalOnProperty(prefix = "pgqj.web", name = "enabled", matchIfMissing = true)
public class PgqjWebAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PgqjWebAutoConfiguration.class);

    /** The dashboard servlet at {@code pgqj.web.path}/* (async on, for its server-sent events). */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjDashboard")
    public ServletRegistrationBean<Dashboard> pgqjDashboard(PgqjDataSources dataSources, QueueTables tables,
                                                            PgqjProperties properties) {
        PgqjProperties.Web web = properties.getWeb();
        Dashboard.Builder builder = Dashboard.builder(dataSources.dedicated(), tables)
                .readOnly(web.isReadOnly())
                .staleAfter(properties.getWorker().getHeartbeatTimeout())
                .basicAuthFromEnvironment();
        Dashboard dashboard = builder.build();
        String path = web.normalizedPath();
        ServletRegistrationBean<Dashboard> registration = new ServletRegistrationBean<>(dashboard, path + "/*");
        registration.setName("pgqjDashboard");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        boolean springSecurity = ClassUtils.isPresent(
                "org.springframework.security.web.SecurityFilterChain", PgqjWebAutoConfiguration.class.getClassLoader());
        LOG.info("pgqj dashboard mounted at {}/ ({}, {})", path, web.isReadOnly() ? "read-only" : "actions on",
                springSecurity ? "behind the app's Spring Security" : "HTTP Basic only if PGQUEUER_WEB_USER/PASSWORD are set");
        return registration;
    }
}
