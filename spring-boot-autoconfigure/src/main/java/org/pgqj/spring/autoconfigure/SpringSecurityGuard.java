package org.pgqj.spring.autoconfigure;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Whether the app's Spring Security refuses a stranger's dashboard action: the first of its
 * {@link SecurityFilterChain}s that matches an anonymous POST to {@code <path>/actions/cancel} (the order Spring
 * Security tries them in) has an {@link AuthorizationFilter} whose rules deny that request to an anonymous user.
 * A chain without authorization rules, a path no chain matches, or a rule that permits it all leave the dashboard
 * unguarded. Loaded only when Spring Security is on the classpath.
 */
final class SpringSecurityGuard implements PgqjWebAutoConfiguration.PathGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SpringSecurityGuard.class);
    private static final Authentication ANONYMOUS = new AnonymousAuthenticationToken("pgqj-dashboard-check",
            "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));

    private final ObjectProvider<SecurityFilterChain> chains;

    SpringSecurityGuard(ObjectProvider<SecurityFilterChain> chains) {
        this.chains = chains;
    }

    @Override
    public Optional<String> guards(String path) {
        try {
            return ask(path);
        } catch (RuntimeException e) {
            // a rule that needs more of a request than a stranger's POST carries: count the path as open
            LOG.warn("Could not tell whether Spring Security guards {}/** ({}); treating the dashboard as unguarded",
                    path, e.toString());
            return Optional.empty();
        }
    }

    private Optional<String> ask(String path) {
        HttpServletRequest stranger = AnonymousRequest.post(path, "/actions/cancel");
        for (SecurityFilterChain chain : chains.orderedStream().toList()) {
            if (!chain.matches(stranger)) {
                continue;
            }
            for (Filter filter : chain.getFilters()) {
                if (filter instanceof AuthorizationFilter authorization) {
                    AuthorizationResult result = authorization.getAuthorizationManager().authorize(() -> ANONYMOUS, stranger);
                    return result != null && !result.isGranted()
                            ? Optional.of("the app's Spring Security (it refuses anonymous requests to " + path + "/**)")
                            : Optional.empty();
                }
            }
            return Optional.empty(); // the chain that handles the path has no authorization rules
        }
        return Optional.empty();
    }
}
