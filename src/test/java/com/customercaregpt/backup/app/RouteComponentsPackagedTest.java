package com.customercaregpt.backup.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every endpoint scheme the shipped routes use comes from a Camel component the product itself
 * depends on. The tests' own classpath brings more components (camel-test pulls some in), so a
 * route can pass every test and still fail to start from the launcher; this reads pom.xml instead.
 */
class RouteComponentsPackagedTest {

    private static final Pattern ENDPOINT = Pattern.compile("(?m)^[ \\t]*-?[ \\t]*(?:uri|to|toD|wireTap|from):[ \\t]*\"?([a-z0-9-]+):");
    /** Schemes served by a component of another name. */
    private static final Map<String, String> ARTIFACT_OF = Map.of("smtp", "camel-mail", "smtps", "camel-mail");

    @Test
    void everySchemeInTheRoutesHasItsComponentAsAMainDependency() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Set<String> missing = new TreeSet<>();
        Set<String> schemes = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Matcher m = ENDPOINT.matcher(Files.readString(file));
                while (m.find()) {
                    schemes.add(m.group(1));
                }
            }
        }
        for (String scheme : schemes) {
            String artifact = ARTIFACT_OF.getOrDefault(scheme, "camel-" + scheme);
            Matcher dependency = Pattern.compile("<artifactId>" + Pattern.quote(artifact) + "</artifactId>(?!\\s*<scope>test)")
                    .matcher(pom);
            if (!dependency.find()) {
                missing.add(scheme + " (" + artifact + ")");
            }
        }
        assertEquals(Set.of(), missing, "schemes used in routes/ " + schemes + " without their component in pom.xml");
    }
}
