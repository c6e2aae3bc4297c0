package com.customercaregpt.backup.repository.store.local;

import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.Repository.ArtifactStream;
import com.customercaregpt.backup.repository.store.FileRanges;
import com.customercaregpt.backup.repository.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A store in a local folder: a key is a file path under the root. Atomic by write-then-rename with
 * fsync of the file and its folder; exclusive folders by mkdir; owner-only modes on everything.
 */
public final class LocalStore implements Store {

    private static final String PART_SUFFIX = ".part";

    private final Path root;

    public LocalStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The file (or folder) a key names. */
    public Path path(String key) {
        return root.resolve(key);
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public String url(String key) {
        return path(key).toString();
    }

    /** rename and link are atomic; a folder lists its files at once. */
    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true);
    }

    @Override
    public void save(String key, byte[] content) throws IOException {
        Path file = path(key);
        if (!Files.isDirectory(file.getParent())) {
            PrivateFiles.createDirectories(file.getParent());
        }
        PrivateFiles.writeAtomically(file, content);
    }

    @Override
    public ArtifactStream create(String key, String sha256) throws IOException {
        Path target = path(key);
        PrivateFiles.createDirectories(target.getParent());
        Path part = target.resolveSibling(target.getFileName() + PART_SUFFIX);
        FileChannel channel = FileChannel.open(part, Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), PrivateFiles.FILE);
        OutputStream out = Channels.newOutputStream(channel);
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
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        return FileRanges.open(path(key), offset, length);
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Stat> stat(String key) throws IOException {
        Path file = path(key);
        return Files.isRegularFile(file) ? Optional.of(new Stat(Files.size(file), null)) : Optional.empty();
    }

    @Override
    public List<String> folders(String folder, String nameStart) throws IOException {
        Path parent = path(folder);
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(nameStart) && Files.isDirectory(entry)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Override
    public List<String> keys(String prefix, int limit) throws IOException {
        Path folder = path(prefix);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        // a .part file is an object still being written: not listed (a writer renames it into place meanwhile)
        Folders.eachRegularFile(folder, file -> {
            if (!file.getFileName().toString().endsWith(PART_SUFFIX)) {
                keys.add(root.relativize(file).toString().replace('\\', '/'));
            }
        });
        return keys.stream().sorted().limit(limit).toList();
    }

    @Override
    public void remove(String key) throws IOException {
        Path file = path(key);
        if (Files.deleteIfExists(file)) {
            Folders.syncDirectory(file.getParent());
        }
    }

    /** mkdir is exclusive: of two callers, one creates the folder and the other finds it there. */
    @Override
    public boolean reserveFolder(String folder) throws IOException {
        Path place = path(folder);
        PrivateFiles.createDirectories(place.getParent());
        try {
            Files.createDirectory(place, PrivateFiles.FOLDER);
        } catch (FileAlreadyExistsException taken) {
            return false;
        }
        Folders.syncDirectory(place.getParent());
        return true;
    }

    @Override
    public void removeFolder(String folder) throws IOException {
        Path place = path(folder);
        if (!Files.exists(place)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(place)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Folders.syncDirectory(place.getParent());
    }

    /** {@code <root>/lock.json}. */
    @Override
    public LockFile lock(Duration staleAfter) {
        return new LockFile(root, staleAfter);
    }

    @Override
    public Optional<Path> localFile(String key) {
        Path file = path(key);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    @Override
    public void close() {
        // nothing held open
    }
}
