package org.pgqj.spring.autoconfigure;

import java.util.Optional;
import org.pgqj.core.QueueTables;
import org.pgqj.web.Dashboard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Mounts the pgqj web dashboard ({@code pgqj-web}) under {@code pgqj.web.path} (default {@code /pgqj}) of a
 * servlet web app, when {@code pgqj-web} is on the classpath and {@code pgqj.web.enabled} is not false.
 *
 * <p>Secure by default, since anyone who reaches the app's port reaches the dashboard: requeue and cancel are on
 * only when the dashboard is authenticated, by HTTP Basic ({@code pgqj.web.user}/{@code pgqj.web.password}, else
 * {@code PGQUEUER_WEB_USER}/{@code PGQUEUER_WEB_PASSWORD}) or by the app's Spring Security refusing anonymous
 * requests to the path ({@link SpringSecurityGuard}); otherwise it is read-only and says how to enable them.
 * {@code pgqj.web.read-only} decides outright; actions without authentication are logged as a WARN. An app with
 * Spring Security also exempts the path from Spring's CSRF filter: the dashboard's forms carry its own token.
 *
 * <p>The dashboard reads through the queue's unpooled data source: its live-update LISTEN holds a connection for
 * as long as the app runs, which must not be one of the request pool's.
 */
@AutoConfiguration(after = PgqjAutoConfiguration.class)
@ConditionalOnClass({Dashboard.class, ServletRegistrationBean.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(PgqjDataSources.class)
@ConditionalOnProperty(prefix = "pgqj.web", name = "enabled", matchIfMissing = true)
public class PgqjWebAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PgqjWebAutoConfiguration.class);

    /** Something in front of the dashboard that refuses strangers; says what when it guards {@code path}. */
    interface PathGuard {
        Optional<String> guards(String path);
    }

    /** The dashboard servlet at {@code pgqj.web.path}/* (async on, for its server-sent events). */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjDashboard")
    public ServletRegistrationBean<Dashboard> pgqjDashboard(PgqjDataSources dataSources, QueueTables tables,
                                                            PgqjProperties properties, Environment environment,
                                                            ObjectProvider<PathGuard> guards) {
        PgqjProperties.Web web = properties.getWeb();
        String path = web.normalizedPath();
        Dashboard.Builder builder = Dashboard.builder(dataSources.dedicated(), tables)
                .staleAfter(properties.getWorker().getHeartbeatTimeout());
        Optional<Dashboard.Credentials> basic = credentials(web, environment);
        basic.ifPresent(c -> builder.basicAuth(c.user(), c.password()));
        Optional<String> guardedBy = basic.isPresent() ? Optional.of("HTTP Basic as user " + basic.get().user())
                : guards.orderedStream().flatMap(g -> g.guards(path).stream()).findFirst();
        boolean readOnly = web.getReadOnly() != null ? web.getReadOnly() : guardedBy.isEmpty();
        Dashboard dashboard = builder.readOnly(readOnly).build();
        ServletRegistrationBean<Dashboard> registration = new ServletRegistrationBean<>(dashboard, path + "/*");
        registration.setName("pgqjDashboard");
        registration.setAsyncSupported(true);
        registration.setLoadOnStartup(1);
        if (readOnly) {
            LOG.info("pgqj dashboard mounted at {}/, read-only{}", path, web.getReadOnly() != null ? " (pgqj.web.read-only)"
                    : ": nothing authenticates it. To enable requeue and cancel, set pgqj.web.user and pgqj.web.password "
                    + "(or PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD), make Spring Security refuse anonymous "
                    + "requests to " + path + "/**, or set pgqj.web.read-only=false (actions for anyone who reaches it)");
        } else if (guardedBy.isPresent()) {
            LOG.info("pgqj dashboard mounted at {}/ with actions, behind {}", path, guardedBy.get());
        } else {
            LOG.warn("pgqj dashboard mounted at {}/ with actions on (requeue, cancel) and no authentication: anyone who "
                    + "reaches this app's port can cancel and requeue jobs. Set pgqj.web.user and pgqj.web.password, "
                    + "protect {}/** with Spring Security, or drop pgqj.web.read-only=false", path, path);
        }
        return registration;
    }

    /** HTTP Basic from pgqj.web.user/password, each falling back to pgqueuer's environment variable. */
    static Optional<Dashboard.Credentials> credentials(PgqjProperties.Web web, Environment environment) {
        String user = firstSet(web.getUser(), environment.getProperty("PGQUEUER_WEB_USER"));
        String password = firstSet(web.getPassword(), environment.getProperty("PGQUEUER_WEB_PASSWORD"));
        if (user == null && password == null) {
            return Optional.empty();
        }
        if (user == null || password == null) {
            throw new PgqjStartupException("The pgqj dashboard's HTTP Basic needs a user and a password, but only the "
                    + (user == null ? "password" : "user") + " is set: set both pgqj.web.user and pgqj.web.password "
                    + "(or PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD), or neither");
        }
        try {
            return Optional.of(new Dashboard.Credentials(user, password));
        } catch (IllegalArgumentException e) {
            throw new PgqjStartupException("pgqj.web.user / PGQUEUER_WEB_USER: " + e.getMessage(), e);
        }
    }

    private static String firstSet(String property, String fallback) {
        String value = property != null && !property.isEmpty() ? property : fallback;
        return value == null || value.isEmpty() ? null : value;
    }

    /** Asks the app's Spring Security filter chains, when the app has Spring Security. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(SecurityFilterChain.class)
    static class SpringSecurityGuardConfiguration {

        @Bean
        PathGuard pgqjSpringSecurityGuard(ObjectProvider<SecurityFilterChain> chains) {
            return new SpringSecurityGuard(chains);
        }
    }
}
