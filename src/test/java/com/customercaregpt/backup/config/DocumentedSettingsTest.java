package com.customercaregpt.backup.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * application.properties documents exactly the settings the code reads: every backup.* key named
 * in the Java sources or as a placeholder in the route files is there, and every key there is read,
 * unless its comment says it is "not yet used".
 */
class DocumentedSettingsTest {

    private static final Path PROPERTIES = Path.of("application.properties");
    private static final List<Path> SOURCES = List.of(Path.of("src", "main", "java"), Path.of("src", "main", "resources"),
            Path.of("routes"));
    /** backup.* names the code uses that are not settings of application.properties, with why. */
    private static final Map<String, String> NOT_SETTINGS = Map.of(
            "backup.home", "the installation folder, set by the launcher",
            "backup.run-mode", "command or service, set by the program for the routes (errors.camel.yaml)",
            "backup.key", "a file name of the warm-up run",
            "backup.redis.bin", "a -D option of the demo and test servers",
            "backup.chroma.bin", "a -D option of the demo and test servers",
            "backup.postgres.bindir", "a -D option of the demo and test servers");

    private static final Pattern JAVA_KEY = Pattern.compile("\"(backup(?:\\.[a-z0-9-]+)+)\"");
    /** "backup." + component + ".stop-command": a key per component, matched by its suffix. */
    private static final Pattern JAVA_KEY_PER_COMPONENT = Pattern.compile("\"backup\\.\"\\s*\\+\\s*\\w+\\s*\\+\\s*\"(\\.[a-z0-9.-]+)\"");
    private static final Pattern PLACEHOLDER = Pattern.compile("(?:\\{\\{\\??|\\$\\{properties:)(backup(?:\\.[a-z0-9-]+)+)");
    private static final Pattern DOCUMENTED_KEY = Pattern.compile("^#?\\s*(backup(?:\\.[a-z0-9-]+)+)\\s*[=:]");

    @Test
    void everyKeyTheCodeReadsIsDocumented() throws IOException {
        Set<String> documented = documented().keySet();
        Set<String> undocumented = new TreeSet<>(read().keys);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "keys read by the code but missing from application.properties");
    }

    @Test
    void everyPerComponentKeyTheCodeReadsIsDocumentedForSomeComponent() throws IOException {
        Set<String> documented = documented().keySet();
        for (String suffix : read().perComponentSuffixes) {
            assertTrue(documented.stream().anyMatch(key -> key.matches("backup\\.[a-z0-9-]+" + Pattern.quote(suffix))),
                    "backup.<component>" + suffix + " is read but no component's key is in application.properties");
        }
    }

    @Test
    void everyDocumentedKeyIsReadOrMarkedNotYetUsed() throws IOException {
        Read read = read();
        Set<String> unread = new TreeSet<>();
        documented().forEach((key, comment) -> {
            boolean readByCode = read.keys.contains(key)
                    || read.perComponentSuffixes.stream().anyMatch(suffix -> key.endsWith(suffix));
            if (!readByCode && !comment.toLowerCase(Locale.ROOT).contains("not yet used")) {
                unread.add(key);
            }
        });
        assertEquals(Set.of(), unread, "keys in application.properties that nothing reads (remove them, or say 'not yet used')");
    }

    /** Documented key (also when commented out) to the comment of its paragraph. */
    private static Map<String, String> documented() throws IOException {
        Map<String, String> keys = new TreeMap<>();
        StringBuilder comment = new StringBuilder();
        for (String line : Files.readAllLines(PROPERTIES)) {
            Matcher key = DOCUMENTED_KEY.matcher(line);
            if (key.find()) {
                keys.put(key.group(1), comment.toString());
            } else if (line.isBlank()) {
                comment.setLength(0);
            } else if (line.startsWith("#")) {
                comment.append(line).append('\n');
            }
        }
        assertTrue(keys.size() > 20, "application.properties was read: " + keys.keySet());
        return keys;
    }

    private record Read(Set<String> keys, Set<String> perComponentSuffixes) {
    }

    private static Read read() throws IOException {
        Set<String> keys = new TreeSet<>();
        Set<String> suffixes = new TreeSet<>();
        for (Path root : SOURCES) {
            List<Path> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(Files::isRegularFile)
                        .filter(f -> f.toString().matches(".*\\.(java|ya?ml|properties)$"))
                        .forEach(files::add);
            }
            for (Path file : files) {
                String text = Files.readString(file);
                Pattern pattern = file.toString().endsWith(".java") ? JAVA_KEY : PLACEHOLDER;
                pattern.matcher(text).results().map(m -> m.group(1)).forEach(keys::add);
                JAVA_KEY_PER_COMPONENT.matcher(text).results().map(m -> m.group(1)).forEach(suffixes::add);
            }
        }
        keys.removeAll(NOT_SETTINGS.keySet());
        assertTrue(keys.contains("backup.repository.path") && keys.contains("backup.s3.enabled"),
                "the sources were scanned: " + keys);
        return new Read(keys, suffixes);
    }
}
