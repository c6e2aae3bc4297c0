package com.customercaregpt.backup.api;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.RestRegistry;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The endpoints of the REST API as Camel registered them (routes/api.camel.yaml): which methods a
 * path allows (for 405 and its Allow header) and which of them take a JSON body (for 415).
 */
final class ApiEndpoints {

    private record Endpoint(String method, Pattern path, boolean literal, boolean takesJson) {
    }

    private final List<Endpoint> endpoints;

    private ApiEndpoints(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    /** Read once the routes are up: every endpoint is in the context's rest registry then. */
    static ApiEndpoints of(CamelContext context, String contextPath) {
        List<Endpoint> endpoints = context.getRestRegistry().listAllRestServices().stream()
                .map(service -> endpoint(service, contextPath)).toList();
        return new ApiEndpoints(endpoints);
    }

    private static Endpoint endpoint(RestRegistry.RestService service, String contextPath) {
        String path = contextPath + nullToEmpty(service.getBasePath()) + nullToEmpty(service.getUriTemplate());
        String regex = Pattern.quote(path).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
        String consumes = service.getConsumes();
        return new Endpoint(service.getMethod().toUpperCase(), Pattern.compile(regex), !path.contains("{"),
                consumes != null && consumes.contains("json"));
    }

    /**
     * The methods {@code path} answers to; empty for no endpoint. A path that is an endpoint as
     * written (/backup/list) is not also taken for a template (/backup/{backup_id}).
     */
    Set<String> allowed(String path) {
        Set<String> literal = new TreeSet<>();
        Set<String> templated = new TreeSet<>();
        for (Endpoint endpoint : endpoints) {
            if (endpoint.path().matcher(path).matches()) {
                (endpoint.literal() ? literal : templated).add(endpoint.method());
            }
        }
        return literal.isEmpty() ? templated : literal;
    }

    /** Whether the endpoint for {@code method} on {@code path} takes a JSON body. */
    boolean takesJson(String method, String path) {
        return endpoints.stream().anyMatch(e -> e.takesJson() && e.method().equals(method) && e.path().matcher(path).matches());
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
