package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.backup.UsageError;
import com.customercaregpt.backup.pipeline.crypto.KeyFile;
import com.customercaregpt.backup.pipeline.crypto.KeyFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "key", description = "Manage the encryption key file (backup.encryption.key-file).",
        subcommands = KeyCommand.Generate.class)
public final class KeyCommand implements Runnable {

    @Override
    public void run() {
        throw new UsageError("missing subcommand: key generate FILE");
    }

    @Command(name = "generate", description = "Write a new random 256-bit key to FILE (mode 600; never overwrites). "
            + "Keep a copy somewhere safe: without it no encrypted backup can be restored.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:written", "2:FILE exists or cannot be written"})
    static final class Generate implements Callable<Integer> {

        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            try {
                KeyFile key = KeyFile.generate(file);
                System.out.println("Wrote key " + key.keyId() + " to " + file.toAbsolutePath());
                System.out.println("Set backup.encryption.key-file=" + file.toAbsolutePath()
                        + " and keep a copy of this file apart from the backups.");
                return 0;
            } catch (KeyFileException e) {
                throw new UsageError(e.getMessage());
            }
        }
    }
}
