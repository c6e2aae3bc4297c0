package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.fixtures.Cli;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's warm-up for the class archive: the real commands on a temp repository, nothing left behind. */
class WarmUpCommandTest {

    @Test
    void createVerifyAndRestoreSucceedOfflineAndTheTempFolderIsRemoved() throws Exception {
        List<Path> before = warmUpFolders();
        Cli.Result result = Cli.run("warm-up");
        assertEquals(0, result.exitCode(), result.toString());
        // every step succeeds with the catalog and S3 refusing connections (a warning each, no alert)
        assertTrue(result.stdout().contains("create, verify, restore, list exited [0, 0, 0, 0]"), result.stdout());
        assertEquals(before, warmUpFolders(), "the warm-up removes its temp folder");
        Cli.Result help = Cli.run("--help");
        assertTrue(!help.stdout().contains("warm-up"), "hidden from --help: " + help.stdout());
    }

    private static List<Path> warmUpFolders() throws Exception {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("backup-manager-warm-up-")).sorted().toList();
        }
    }
}
