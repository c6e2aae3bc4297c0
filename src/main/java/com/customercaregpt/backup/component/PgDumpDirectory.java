package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.crypto.Envelope;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import com.customercaregpt.backup.pipeline.Streams;

/**
 * A pg_dump directory-format archive stored one artifact per file ({@code toc.dat}, one
 * {@code <dumpId>.dat} per table, large-object files), so that a restore never needs the whole
 * dump decompressed on disk: pg_restore --jobs reads the table files in parallel, and each large
 * one is a named pipe fed straight from its artifact. Decompression then runs beside the COPYs
 * instead of before them, and no scratch copy competes with the database's own writes.
 */
final class PgDumpDirectory {
    static final String FORMAT = "pg_dump-directory";
    static final String TOC = "toc.dat";

    /** Table files at least this large are streamed through a pipe; smaller ones are just decompressed. */
    private static final long STREAM_AT_BYTES = 8L << 20;
    /** At most this many pipes (and feeder threads) whatever the table count; the rest are decompressed. */
    private static final int MAX_PIPES = 256;
    private static final Pattern TABLE_FILE = Pattern.compile("[0-9]+\\.dat");

    private final String component;

    PgDumpDirectory(String component) {
        this.component = component;
    }

    /** The file's name inside the dump folder: the artifact path without folder, compression and encryption suffixes. */
    static String fileName(Artifact artifact) {
        String name = artifact.path().substring(artifact.path().lastIndexOf('/') + 1);
        if (!"none".equals(artifact.encryption()) && name.endsWith(Envelope.SUFFIX)) {
            name = name.substring(0, name.length() - Envelope.SUFFIX.length());
        }
        String compressed = Compression.parse(artifact.compression()).suffix();
        return !compressed.isEmpty() && name.endsWith(compressed) ? name.substring(0, name.length() - compressed.length()) : name;
    }

    /** Which artifacts stream through pipes: the largest table files, up to {@link #MAX_PIPES}. */
    static List<Artifact> streamed(List<Artifact> artifacts) {
        return artifacts.stream()
                .filter(a -> TABLE_FILE.matcher(fileName(a)).matches() && a.rawSizeBytes() >= STREAM_AT_BYTES)
                .sorted((a, b) -> Long.compare(b.rawSizeBytes(), a.rawSizeBytes()))
                .limit(MAX_PIPES)
                .toList();
    }

    /** Bytes decompressed onto disk by a restore (everything not streamed). */
    static long scratchBytes(List<Artifact> artifacts) {
        List<Artifact> streamed = streamed(artifacts);
        return artifacts.stream().filter(a -> !streamed.contains(a)).mapToLong(Artifact::rawSizeBytes).sum();
    }

    static List<String> plan(List<Artifact> artifacts, int jobs) {
        List<Artifact> streamed = streamed(artifacts);
        long streamedBytes = streamed.stream().mapToLong(Artifact::rawSizeBytes).sum();
        return List.of("decompress toc.dat and " + (artifacts.size() - streamed.size() - 1) + " small files ("
                        + Sizes.human(scratchBytes(artifacts)) + ") to a scratch folder",
                "pg_restore --jobs=" + jobs + " from that folder, the " + streamed.size() + " largest table files ("
                        + Sizes.human(streamedBytes) + ") streamed to it through named pipes");
    }

    /**
     * Lays the dump out in {@code folder} (small files decompressed, large ones as named pipes) and
     * runs {@code pgRestore} through {@code tool} (its last argument must be {@code folder}) while
     * feeding the pipes.
     * Fails if pg_restore fails, if any pipe could not be fed to its end, or if pg_restore left one unread.
     */
    void restore(List<Artifact> artifacts, ArtifactReader reader, Path folder, ExternalTool tool, List<String> pgRestore,
                 Map<String, String> environment) throws IOException {
        PrivateFiles.createDirectories(folder);
        List<Artifact> streamed = streamed(artifacts);
        for (Artifact artifact : artifacts) {
            if (!streamed.contains(artifact)) {
                reader.decompressTo(artifact, folder.resolve(fileName(artifact)));
            }
        }
        List<PipeFeeder> feeders = new ArrayList<>();
        if (!streamed.isEmpty()) {
            List<String> mkfifo = new ArrayList<>(List.of("mkfifo", "-m", "600"));
            streamed.forEach(a -> mkfifo.add(folder.resolve(fileName(a)).toString()));
            new ExternalTool(component, "mkfifo").capture(mkfifo, Map.of(), null);
        }
        try {
            for (Artifact artifact : streamed) {
                feeders.add(new PipeFeeder(artifact, folder.resolve(fileName(artifact)), reader));
            }
            tool.capture(pgRestore, environment, null);
        } finally {
            feeders.forEach(PipeFeeder::release);
        }
        for (PipeFeeder feeder : feeders) {
            feeder.requireFed();
        }
    }

    /** Whether a stored file is the table of contents, which alone answers pg_restore --list. */
    static boolean isToc(Artifact artifact) {
        return TOC.equals(fileName(artifact));
    }

    /** Writes one artifact, decompressed, into a named pipe once pg_restore opens it. */
    private final class PipeFeeder {
        private final Artifact artifact;
        private final Path pipe;
        private final ArtifactReader reader;
        private final Thread thread;
        private volatile boolean opened;
        private volatile boolean releasedUnread;
        private volatile Throwable failure;

        PipeFeeder(Artifact artifact, Path pipe, ArtifactReader reader) {
            this.artifact = artifact;
            this.pipe = pipe;
            this.reader = reader;
            this.thread = new Thread(this::feed, "restore-pipe-" + fileName(artifact));
            thread.setDaemon(true);
            thread.start();
        }

        private void feed() {
            // Opening a pipe for writing waits until pg_restore opens it for reading.
            try (OutputStream out = new FileOutputStream(pipe.toFile())) {
                opened = true;
                if (releasedUnread) {
                    return;
                }
                try (InputStream in = reader.openDecompressed(artifact)) {
                    Streams.copy(in, out);
                }
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
        }

        /** After pg_restore ended: unblocks a feeder still waiting for a reader, and waits for it. */
        void release() {
            try {
                thread.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!opened && thread.isAlive()) {
                releasedUnread = true;
                // pg_restore is gone, so this open pairs with the feeder's and lets it return.
                try (FileInputStream ignored = new FileInputStream(pipe.toFile())) {
                    // nothing to read
                } catch (IOException ignored) {
                    // the feeder failed on its own; requireFed reports it
                }
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepFailure(component, "restore", "interrupted while streaming " + artifact.path());
            }
        }

        /** A pipe that ended early would have given pg_restore a short table, so it fails the restore. */
        void requireFed() {
            if (failure instanceof StepFailure stepFailure) {
                throw stepFailure;
            }
            if (failure != null) {
                throw new StepFailure(component, "restore", "streaming " + artifact.path() + " to pg_restore failed: "
                        + failure.getMessage(), failure);
            }
            if (releasedUnread) {
                throw new StepFailure(component, "restore", "pg_restore ended without reading " + artifact.path());
            }
        }
    }
}
