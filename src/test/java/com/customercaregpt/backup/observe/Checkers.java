package com.customercaregpt.backup.observe;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Command-line checkers of the monitoring files: missing ones skip a test, except in CI, where they fail it. */
final class Checkers {

    private Checkers() {
    }

    static Path promtool() {
        return find("promtool", "prometheus");
    }

    static Path dockerCompose() {
        return find("docker-compose", "docker-compose");
    }

    private static Path find(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String missing = command + " is not installed (Debian package " + debianPackage + "; scripts/install-deps.sh installs it)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(missing);
        }
        Assumptions.abort(missing);
        return null;
    }
}
