package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.fixtures.TestStack;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml and the monitoring files are valid, and set only settings the program reads. */
class ComposeFileTest {

    private static final Path HOME = TestStack.projectHome();

    @Test
    void theComposeFileIsValid() throws Exception {
        assertEquals(0, run(Checkers.dockerCompose().toString(), "-f", HOME.resolve("docker-compose.yml").toString(),
                "config", "-q"));
    }

    @Test
    void theAlertRulesAreValid() throws Exception {
        assertEquals(0, run(Checkers.promtool().toString(), "check", "rules",
                HOME.resolve("monitoring/prometheus-rules.yml").toString()));
    }

    @Test
    void everyBackupVariableOfTheComposeFileIsASettingTheProgramReads() throws Exception {
        Set<String> settings = new TreeSet<>();
        Matcher documented = Pattern.compile("(?m)^#?\\s*((?:backup|camel)(?:\\.[a-z0-9-]+)+)\\s*=")
                .matcher(Files.readString(HOME.resolve("application.properties")));
        while (documented.find()) {
            settings.add(Settings.environmentName(documented.group(1)));
        }
        JsonNode services = new ObjectMapper(new YAMLFactory()).readTree(HOME.resolve("docker-compose.yml").toFile())
                .get("services");
        JsonNode environment = services.get("backup-manager").get("environment");
        Set<String> unknown = new TreeSet<>();
        environment.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("BACKUP_") && !settings.contains(name)) {
                unknown.add(name);
            }
        });
        assertEquals(Set.of(), unknown, "BACKUP_* variables that map to no key of application.properties");
        assertFalse(environment.path("BACKUP_CONFIG_FILES").asText().isBlank(),
                "without config files every backup of all components ends partial");
        assertTrue(services.has("prometheus") && services.has("hawtio"), "the monitoring services are there");
        assertEquals("0.0.0.0", environment.path("CAMEL_MANAGEMENT_HOST").asText(),
                "Prometheus in the compose network reaches the management server");
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        if (process.exitValue() != 0) {
            System.err.println(output);
        }
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return process.exitValue();
    }
}
