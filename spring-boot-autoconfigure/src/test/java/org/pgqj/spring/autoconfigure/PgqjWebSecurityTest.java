package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.web.Dashboard;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The dashboard mount's secure default: read-only unless HTTP Basic credentials are configured or the app's Spring
 * Security refuses anonymous requests to its path; actions without authentication only when asked for, with a
 * WARN. Each case is a servlet web context on real PostgreSQL, with and without Spring Security on the classpath.
 */
@ExtendWith({PostgresExtension.class, OutputCaptureExtension.class})
class PgqjWebSecurityTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    /** The starter and the dashboard, without Spring Security on the classpath. */
    private static WebApplicationContextRunner app() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, PgqjDataSourceAutoConfiguration.class,
                        PgqjAutoConfiguration.class, PgqjWebAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + db.jdbcUrl(), "spring.datasource.username=" + db.user(),
                        "spring.datasource.password=" + db.password(), "pgqj.worker.enabled=false");
    }

    /** The same app with Spring Security as Spring Boot sets it up (its default chain unless the app has one). */
    private static WebApplicationContextRunner secured() {
        return app().withConfiguration(AutoConfigurations.of(SecurityAutoConfiguration.class,
                ServletWebSecurityAutoConfiguration.class, UserDetailsServiceAutoConfiguration.class));
    }

    private static Dashboard dashboard(AssertableWebApplicationContext context) {
        assertThat(context).hasNotFailed();
        return (Dashboard) context.getBean("pgqjDashboard", ServletRegistrationBean.class).getServlet();
    }

    @Test
    void withoutCredentialsItIsReadOnlyAndSaysHowToEnableActions(CapturedOutput log) {
        app().withClassLoader(new FilteredClassLoader(SecurityFilterChain.class)).run(context -> {
            assertThat(dashboard(context).readOnly()).isTrue();
        });
        assertThat(log).contains("pgqj dashboard mounted at /pgqj/, read-only: nothing authenticates it. To enable "
                + "requeue and cancel, set pgqj.web.user and pgqj.web.password").doesNotContain("WARN");
    }

    @Test
    void credentialsTurnActionsOn(CapturedOutput log) {
        app().withPropertyValues("pgqj.web.user=ops", "pgqj.web.password=s3cret").run(context ->
                assertThat(dashboard(context).readOnly()).isFalse());
        // pgqueuer's variables, read through Spring's environment (the OS environment in production)
        app().withPropertyValues("PGQUEUER_WEB_USER=ops", "PGQUEUER_WEB_PASSWORD=s3cret").run(context ->
                assertThat(dashboard(context).readOnly()).isFalse());
        assertThat(log).contains("pgqj dashboard mounted at /pgqj/ with actions, behind HTTP Basic as user ops")
                .doesNotContain("s3cret").doesNotContain("WARN");
    }

    @Test
    void readOnlyDecidesOutright(CapturedOutput log) {
        app().withPropertyValues("pgqj.web.user=ops", "pgqj.web.password=s3cret", "pgqj.web.read-only=true")
                .run(context -> assertThat(dashboard(context).readOnly()).isTrue());
        app().withPropertyValues("pgqj.web.read-only=false", "pgqj.web.path=/ops/queue").run(context ->
                assertThat(dashboard(context).readOnly()).isFalse());
        assertThat(log).contains("WARN").contains("pgqj dashboard mounted at /ops/queue/ with actions on (requeue, "
                + "cancel) and no authentication: anyone who reaches this app's port can cancel and requeue jobs");
    }

    @Test
    void halfTheCredentialsFailStartupNamingBoth() {
        app().withPropertyValues("pgqj.web.user=ops").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("only the user is set: set both pgqj.web.user and "
                        + "pgqj.web.password (or PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD), or neither"));
    }

    @Test
    void springBootsDefaultSecurityGuardsThePath(CapturedOutput log) {
        secured().run(context -> assertThat(dashboard(context).readOnly()).isFalse());
        assertThat(log).contains("pgqj dashboard mounted at /pgqj/ with actions, behind the app's Spring Security "
                + "(it refuses anonymous requests to /pgqj/**)");
    }

    @Configuration(proxyBeanMethods = false)
    static class RolesOnTheDashboard {
        @Bean
        @Order(1)
        SecurityFilterChain dashboardChain(HttpSecurity http) throws Exception {
            return http.securityMatcher("/pgqj/**").authorizeHttpRequests(a -> a.anyRequest().hasRole("OPS"))
                    .httpBasic(b -> { }).build();
        }

        @Bean
        @Order(2)
        SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DashboardPermittedToAll {
        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.requestMatchers("/pgqj/**").permitAll().anyRequest().authenticated())
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OnlyTheApi {
        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {
            return http.securityMatcher("/api/**").authorizeHttpRequests(a -> a.anyRequest().authenticated()).build();
        }
    }

    @Test
    void anAppChainThatRefusesStrangersOnThePathGuardsIt() {
        secured().withUserConfiguration(RolesOnTheDashboard.class).run(context ->
                assertThat(dashboard(context).readOnly()).isFalse());
    }

    @Test
    void springSecurityThatLetsStrangersInOrLooksElsewhereGuardsNothing() {
        secured().withUserConfiguration(DashboardPermittedToAll.class).run(context ->
                assertThat(dashboard(context).readOnly()).isTrue());
        secured().withUserConfiguration(OnlyTheApi.class).run(context ->
                assertThat(dashboard(context).readOnly()).isTrue());
        // on the classpath but not set up: no filter chain at all
        app().run(context -> assertThat(dashboard(context).readOnly()).isTrue());
    }
}
