package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the main commands once against a throw-away repository, for the launcher's class archive
 * (class-data sharing): the archive holds the classes a run loaded, so it is written at the exit
 * of this run rather than of whatever command a user happens to run first after a build (a
 * {@code --help} would archive almost nothing). Touches nothing but its own temp folder: the
 * catalog and the S3 endpoint it names refuse connections, which loads the classes of both
 * clients without reaching any server. No step raises an alert: an unreachable catalog is a
 * warning, and so is a backup that completed locally but could not be replicated.
 */
@Command(name = "warm-up", hidden = true,
        description = "Exercise create, verify, restore and list on a temp repository (for the class archive).")
public final class WarmUpCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        Path work = Files.createTempDirectory("backup-manager-warm-up-");
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            Path configFile = Files.writeString(work.resolve("app.env"), "LOG_LEVEL=info\nAPI_KEY=warm-up\n");
            // a folder too, so the tar reading classes are in the archive
            Path uploads = Files.createDirectories(work.resolve("uploads"));
            Files.writeString(uploads.resolve("readme.txt"), "warm-up\n");
            KeyFile.generate(work.resolve("backup.key"));
            String closedPort = String.valueOf(closedPort());
            Path properties = Files.writeString(work.resolve("warm-up.properties"), String.join("\n",
                    "backup.repository.path=" + work.resolve("repository"),
                    "backup.config.files=" + configFile,
                    "backup.uploads.path=" + uploads,
                    "backup.encryption.key-file=" + work.resolve("backup.key"),
                    "backup.catalog.url=jdbc:postgresql://127.0.0.1:" + closedPort + "/none",
                    "backup.s3.enabled=true",
                    "backup.s3.endpoint=http://127.0.0.1:" + closedPort,
                    "backup.s3.bucket=warm-up",
                    "backup.s3.access-key=warm-up",
                    "backup.s3.secret-key=warm-up",
                    "backup.s3.retry-attempts=1",
                    "backup.s3.retry-backoff-seconds=0",
                    "backup.lock.wait-seconds=1", ""));
            // list with the bucket unreachable would fail and raise an alert: it reads the local repository only
            Path localOnly = Files.writeString(work.resolve("local-only.properties"),
                    Files.readString(properties).replace("backup.s3.enabled=true", "backup.s3.enabled=false"));
            String config = properties.toString();
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            List<Integer> exits = new ArrayList<>();
            exits.add(BackupManagerCommand.run("--config", config, "create", "--components", "config", "uploads"));
            String id = latestBackup(work.resolve("repository"));
            if (id != null) {
                exits.add(BackupManagerCommand.run("--config", config, "verify", id));
                exits.add(BackupManagerCommand.run("--config", config, "restore", id, "--components", "config", "uploads",
                        "--target-dir", work.resolve("restored").toString(), "--yes"));
            }
            exits.add(BackupManagerCommand.run("--config", localOnly.toString(), "list"));
            System.setOut(out);
            System.setErr(err);
            out.println("warm-up: create, verify, restore, list exited " + exits);
            return id == null ? BackupManagerCommand.FAILED : 0;
        } finally {
            System.setOut(out);
            System.setErr(err);
            Folders.deleteTreeQuietly(work);
        }
    }

    private static String latestBackup(Path repository) throws IOException {
        Path backups = repository.resolve("backups");
        if (!Files.isDirectory(backups)) {
            return null;
        }
        try (var ids = Files.list(backups)) {
            return ids.map(p -> p.getFileName().toString()).filter(name -> name.startsWith("backup_"))
                    .sorted().reduce((first, second) -> second).orElse(null);
        }
    }

    /** A loopback port nothing listens on: connections to it are refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
