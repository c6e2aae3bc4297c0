package com.customercaregpt.backup.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files and folders only their owner may read (600 / 700), whatever the umask: the repository and scratch hold the platform's data. */
public final class PrivateFiles {

    public static final FileAttribute<Set<PosixFilePermission>> FOLDER =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    public static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<StandardOpenOption> CREATE_OR_TRUNCATE = Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);

    private PrivateFiles() {
    }

    /** As Files.createDirectories, each folder it makes being 700; returns {@code folder}. */
    public static Path createDirectories(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            createDirectories(folder.toAbsolutePath().getParent());
            try {
                Files.createDirectory(folder, FOLDER);
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile by another writer
            }
        }
        return folder;
    }

    /** A new (or truncated) file, 600 when this call creates it. */
    public static OutputStream newOutputStream(Path file) throws IOException {
        return Channels.newOutputStream(FileChannel.open(file, CREATE_OR_TRUNCATE, FILE));
    }

    /** An empty 600 file for a tool to write into (a tool keeps the mode of a file that exists). */
    public static Path createEmpty(Path file) throws IOException {
        Files.deleteIfExists(file);
        return Files.createFile(file, FILE);
    }

    /** Writes {@code content} to {@code file}, 600 when this call creates it. */
    public static void write(Path file, byte[] content) throws IOException {
        try (OutputStream out = newOutputStream(file)) {
            out.write(content);
        }
    }

    /** Writes {@code content} to a private temp file, flushes it, and renames it over {@code file}. */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, CREATE_OR_TRUNCATE, FILE)) {
            channel.write(ByteBuffer.wrap(content));
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Folders.syncDirectory(file.getParent());
    }
}
