package com.customercaregpt.backup.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The merged configuration: application.properties, then the --config overlay, then
 * environment variables (BACKUP_DATABASE_PASSWORD for backup.database.password), then
 * -D system properties. Camel gets the same merged view, so routes and beans agree.
 */
public final class Settings {

    /** Keys whose values are secrets: never printed, logged or written into a manifest. */

    private final Map<String, String> values;
    private final Path home;

    private Settings(Map<String, String> values, Path home) {
        this.values = values;
        this.home = home;
    }

    /** Loads {@code home/application.properties} and overlays {@code configFile} (may be null). */
    public static Settings load(Path home, Path configFile, Map<String, String> environment) {
        Map<String, String> merged = new TreeMap<>();
        Path base = home.resolve("application.properties");
        if (Files.isRegularFile(base)) {
            merged.putAll(readProperties(base));
        }
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new SettingsException("config file not found: " + configFile);
            }
            merged.putAll(readProperties(configFile));
        }
        for (String key : List.copyOf(merged.keySet())) {
            String fromEnv = environment.get(environmentName(key));
            if (fromEnv != null) {
                merged.put(key, fromEnv);
            }
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("backup.") || name.startsWith("camel.")) {
                merged.put(name, System.getProperty(name));
            }
        }
        merged.put("backup.home", home.toAbsolutePath().normalize().toString());
        merged.replaceAll((k, v) -> v.replace("${backup.home}", merged.get("backup.home")));
        return new Settings(merged, home);
    }

    /** Settings from a map alone, for tests and the demo stack. */
    public static Settings of(Path home, Map<String, String> values) {
        Map<String, String> merged = new TreeMap<>(readProperties(home.resolve("application.properties")));
        merged.putAll(values);
        merged.put("backup.home", home.toAbsolutePath().normalize().toString());
        merged.replaceAll((k, v) -> v.replace("${backup.home}", merged.get("backup.home")));
        return new Settings(merged, home);
    }

    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Path home() {
        return home;
    }

    public String get(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new SettingsException("missing setting " + key);
        }
        return value.trim();
    }

    public String get(String key, String fallback) {
        String value = values.get(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public int getInt(String key, int fallback) {
        String value = get(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SettingsException(key + " must be a whole number, got '" + value + "'");
        }
    }

    public Path getPath(String key) {
        return Path.of(get(key)).toAbsolutePath().normalize();
    }

    public List<String> getList(String key) {
        String value = get(key, "");
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** A tool's options (backup.*-options): the value split at whitespace, no quoting. */
    public List<String> getOptions(String key) {
        return Arrays.stream(get(key, "").split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** Everything, for handing to Camel's property placeholders. */
    public Properties asProperties() {
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file);
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new SettingsException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new TreeMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    /** Bad configuration: a usage error, reported in one line. */
    public static final class SettingsException extends RuntimeException {
        public SettingsException(String message) {
            super(message);
        }
    }
}
