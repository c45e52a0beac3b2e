package org.pgqj.spring.autoconfigure;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A request nobody sent: what a stranger's POST to one of the dashboard's actions looks like to the app's request
 * matchers (method, URI, servlet mapping, attributes; no headers, cookies, session or principal), for asking the
 * app's Spring Security what it would do with one. A proxy, because the servlet API has no plain implementation
 * outside test libraries.
 */
final class AnonymousRequest {

    /** A documentation address (RFC 5737): neither this machine nor a private network. */
    static final String REMOTE_ADDRESS = "203.0.113.7";

    private AnonymousRequest() {
    }

    /** A POST to {@code mount + pathInfo} of the servlet mapped at {@code mount}/* (no context path). */
    static HttpServletRequest post(String mount, String pathInfo) {
        String uri = mount + pathInfo;
        Map<String, Object> attributes = new HashMap<>();
        HttpServletMapping mapping = new HttpServletMapping() {
            @Override
            public String getMatchValue() {
                return pathInfo.substring(1);
            }

            @Override
            public String getPattern() {
                return mount + "/*";
            }

            @Override
            public String getServletName() {
                return "pgqjDashboard";
            }

            @Override
            public MappingMatch getMappingMatch() {
                return MappingMatch.PATH;
            }
        };
        return (HttpServletRequest) Proxy.newProxyInstance(AnonymousRequest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "POST";
                    case "getRequestURI" -> uri;
                    case "getRequestURL" -> new StringBuffer("http://localhost" + uri);
                    case "getContextPath" -> "";
                    case "getServletPath" -> mount;
                    case "getPathInfo" -> pathInfo;
                    case "getHttpServletMapping" -> mapping;
                    case "getDispatcherType" -> DispatcherType.REQUEST;
                    case "getScheme" -> "http";
                    case "getProtocol" -> "HTTP/1.1";
                    case "getServerName", "getLocalName", "getRemoteHost" -> "localhost";
                    case "getServerPort", "getLocalPort", "getRemotePort" -> 80;
                    case "getRemoteAddr" -> REMOTE_ADDRESS;
                    case "getLocale" -> Locale.ROOT;
                    case "getLocales" -> Collections.enumeration(java.util.List.of(Locale.ROOT));
                    case "getHeaders", "getHeaderNames", "getParameterNames" -> Collections.emptyEnumeration();
                    case "getParameterMap" -> Map.of();
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getAttributeNames" -> Collections.enumeration(attributes.keySet());
                    case "setAttribute" -> {
                        attributes.put((String) args[0], args[1]);
                        yield null;
                    }
                    case "removeAttribute" -> {
                        attributes.remove((String) args[0]);
                        yield null;
                    }
                    case "getIntHeader", "getContentLength" -> -1;
                    case "getContentLengthLong", "getDateHeader" -> -1L;
                    case "toString" -> "POST " + uri + " (anonymous, from " + REMOTE_ADDRESS + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    // everything a stranger does not bring: headers, cookies, session, principal, body
                    default -> method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                });
    }
}
