package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.stream.Stream;

/** A repository in a local folder: {@code <root>/backups/<backup_id>/...}. */
public final class LocalRepository implements Repository {

    static final String MANIFEST = "manifest.json";
    public static final String PROGRESS_MARKER = "in-progress.json";
    private static final String PART_SUFFIX = ".part";
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FOLDER = PrivateFiles.FOLDER;
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE = PrivateFiles.FILE;

    private final Path root;
    private final Path backups;

    public LocalRepository(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.backups = this.root.resolve("backups");
    }

    @Override
    public String location() {
        return root.toString();
    }

    public Path folder(BackupId id) {
        return backups.resolve(id.value());
    }

    @Override
    public BackupId allocate(Instant startedAt) throws IOException {
        createPrivateDirectories(backups);
        for (int attempt = 0; attempt < 10_000; attempt++) {
            BackupId id = BackupId.at(startedAt, attempt);
            try {
                Files.createDirectory(folder(id), PRIVATE_FOLDER);
                Folders.syncDirectory(backups);
                return id;
            } catch (FileAlreadyExistsException taken) {
                // that second already has a backup: try the next suffix
            }
        }
        throw new IOException("no free backup id for " + startedAt + " in " + backups);
    }

    @Override
    public ArtifactStream createArtifact(BackupId id, String path) throws IOException {
        Path target = folder(id).resolve(Repository.checkRelativePath(path));
        createPrivateDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + PART_SUFFIX);
        FileChannel channel = FileChannel.open(part, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), PRIVATE_FILE);
        OutputStream out = java.nio.channels.Channels.newOutputStream(channel);
        return new ArtifactStream() {
            private boolean finished;

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (finished) {
                    return;
                }
                finished = true;
                channel.force(true);
                out.close();
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Folders.syncDirectory(target.getParent());
            }

            @Override
            public void abort() {
                if (finished) {
                    return;
                }
                finished = true;
                try {
                    out.close();
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // the folder is unfinished anyway and is removed with it
                }
            }
        };
    }

    @Override
    public InputStream openArtifact(BackupId id, String path) throws IOException {
        return Files.newInputStream(folder(id).resolve(Repository.checkRelativePath(path)));
    }

    @Override
    public Optional<Path> localFile(BackupId id, String path) {
        Path file = artifactFile(id, path);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The artifact as a local file, for tools that need a seekable file (pg_restore -j). */
    public Path artifactFile(BackupId id, String path) {
        return folder(id).resolve(Repository.checkRelativePath(path));
    }

    @Override
    public void writeManifest(BackupId id, byte[] manifestJson) throws IOException {
        writeAtomically(folder(id), MANIFEST, manifestJson);
    }

    @Override
    public Optional<byte[]> readManifest(BackupId id) throws IOException {
        return readIfPresent(folder(id).resolve(MANIFEST));
    }

    @Override
    public List<BackupId> list() throws IOException {
        if (!Files.isDirectory(backups)) {
            return List.of();
        }
        List<BackupId> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(backups)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (BackupId.isValid(name) && Files.isDirectory(entry)) {
                    ids.add(new BackupId(name));
                }
            }
        }
        ids.sort(Comparator.naturalOrder());
        return ids;
    }

    @Override
    public void writeProgressMarker(BackupId id, byte[] markerJson) throws IOException {
        writeAtomically(folder(id), PROGRESS_MARKER, markerJson);
    }

    @Override
    public Optional<byte[]> readProgressMarker(BackupId id) throws IOException {
        return readIfPresent(folder(id).resolve(PROGRESS_MARKER));
    }

    @Override
    public void removeProgressMarker(BackupId id) throws IOException {
        Files.deleteIfExists(folder(id).resolve(PROGRESS_MARKER));
        Folders.syncDirectory(folder(id));
    }

    @Override
    public void delete(BackupId id) throws IOException {
        Path folder = folder(id);
        if (!Files.exists(folder)) {
            return;
        }
        Files.deleteIfExists(folder.resolve(MANIFEST));
        Folders.syncDirectory(folder);
        try (Stream<Path> tree = Files.walk(folder)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Folders.syncDirectory(backups);
    }

    private static void writeAtomically(Path folder, String name, byte[] content) throws IOException {
        PrivateFiles.writeAtomically(folder.resolve(name), content);
    }

    /** Backups hold the platform's data: only the owner may read them. */
    private static void createPrivateDirectories(Path folder) throws IOException {
        PrivateFiles.createDirectories(folder);
    }

    private static Optional<byte[]> readIfPresent(Path file) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }
}
