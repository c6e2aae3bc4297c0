package com.customercaregpt.backup.pipeline;

import com.customercaregpt.backup.backup.StepFailure;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Archives folders with GNU tar (POSIX/pax format: any file name, modes, symlinks kept as links,
 * empty folders). The facts count the members of the stream tar wrote, read as it passes on to
 * the artifact, so they describe the archive exactly even when the folder changes while it is read.
 */
public final class TarArchiver {

    /** Reads of a member's bytes: as large as Streams' copies, so they bypass the header buffer. */
    private static final int BLOCK = 256 * 1024;
    /** Holds many small headers per pipe read and sink write. */
    private static final int HEADER_BUFFER = 64 * 1024;

    private final String component;
    private final List<String> options;

    /** {@code options}: tar's options of backup.tar.create-options (the default --format=posix). */
    public TarArchiver(String component, List<String> options) {
        this.component = component;
        this.options = options;
    }

    /** One folder to put in the archive, under its own name ("." for the folder itself), minus exclusions. */
    public record Source(Path folder, String member, List<String> excludes) {
        public static Source whole(Path folder) {
            return new Source(folder, ".", List.of());
        }
    }

    /** Writes a tar of the sources into {@code out} and returns counts of what it holds. */
    public Map<String, Object> archive(List<Source> sources, OutputStream out, Path scratch) throws IOException {
        return archive(sources, out, scratch, null);
    }

    /**
     * As {@link #archive(List, OutputStream, Path)}, with GNU tar's {@code --listed-incremental}
     * snapshot file (null: none): tar archives what changed since the state it records (all of it
     * when the file is new) and rewrites it.
     */
    public Map<String, Object> archive(List<Source> sources, OutputStream out, Path scratch, Path snapshot)
            throws IOException {
        return archive(sources, out, scratch, snapshot, null);
    }

    /** Receives the SHA-256 of each regular file the archive holds, hashed as its bytes pass by. */
    public interface MemberDigests {
        /** {@code name}: the member's name as tar wrote it ("./a/b"). */
        void file(String name, byte[] sha256) throws IOException;

        /** A hard link: a second name for the file {@code target}, whose bytes came earlier. */
        void hardLink(String name, String target) throws IOException;
    }

    /** As {@link #archive(List, OutputStream, Path, Path)}, handing each file's SHA-256 to {@code digests} (null: none). */
    public Map<String, Object> archive(List<Source> sources, OutputStream out, Path scratch, Path snapshot,
                                       MemberDigests digests) throws IOException {
        List<String> command = new ArrayList<>(List.of("tar", "--create", "--file=-"));
        if (snapshot != null) {
            command.add("--listed-incremental=" + snapshot);
        }
        command.addAll(options);
        for (Source source : sources) {
            if (!Files.isDirectory(source.folder())) {
                throw new StepFailure(component, "tar", "folder not found: " + source.folder());
            }
            for (String exclude : source.excludes()) {
                command.add("--exclude=" + exclude);
            }
            command.add("--directory=" + source.folder());
            command.add(source.member());
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        // Exit 1 is GNU tar's "some files differ": a file changed while it was read. The archive is
        // valid and holds what was read; the warning is kept in the facts instead of failing.
        ExternalTool.Outcome outcome = new ExternalTool(component, "tar").readStdout(command, Map.of(), null,
                Set.of(0, 1), stdout -> facts.putAll(copyCounting(stdout, out, digests)));
        if (outcome.exitCode() == 1) {
            facts.put("tar_warning", outcome.lastStderrLine());
        }
        return facts;
    }

    /** Copies a tar stream into {@code sink}, counting its members by type on the way. */
    static Map<String, Object> copyCounting(InputStream tarStream, OutputStream sink) throws IOException {
        return copyCounting(tarStream, sink, null);
    }

    /** As {@link #copyCounting(InputStream, OutputStream)}, hashing each regular file for {@code digests} (null: none). */
    static Map<String, Object> copyCounting(InputStream tarStream, OutputStream sink, MemberDigests digests)
            throws IOException {
        MessageDigest sha256 = digests == null ? null : ArtifactOutput.newSha256();
        long entries = 0;
        long files = 0;
        long directories = 0;
        long symlinks = 0;
        long others = 0;
        long bytes = 0;
        PassingOn passing = new PassingOn(tarStream, sink);
        // buffered above the copy: the tar reader's byte-by-byte header reads stay off the sink
        TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(passing, HEADER_BUFFER));
        byte[] block = new byte[BLOCK];
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            entries++;
            boolean regular = false;
            if (entry.isSymbolicLink()) {
                symlinks++;
            } else if (entry.isLink()) {
                files++; // a hard link: a second name for a file, no bytes of its own
            } else if (entry.isDirectory()) {
                directories++;
            } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                others++;
            } else if (entry.isFile()) {
                files++;
                bytes += entry.getSize();
                regular = true;
            } else {
                others++;
            }
            boolean hashed = digests != null && regular;
            int n;
            while ((n = tar.read(block)) >= 0) {
                if (hashed) {
                    sha256.update(block, 0, n); // the member's bytes pass on to the sink as they are read
                }
            }
            if (hashed) {
                digests.file(entry.getName(), sha256.digest());
            } else if (digests != null && entry.isLink() && !entry.isSymbolicLink()) {
                digests.hardLink(entry.getName(), entry.getLinkName());
            }
        }
        passing.passRest(block); // the end-of-archive blocks
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("tar_entries", entries);
        facts.put("file_count", files);
        facts.put("directory_count", directories);
        facts.put("symlink_count", symlinks);
        facts.put("other_count", others);
        facts.put("total_bytes", bytes);
        return facts;
    }

    /** Hands every byte read to the sink as well, skips included, so each byte reaches it once. */
    private static final class PassingOn extends InputStream {
        private final InputStream in;
        private final OutputStream sink;
        private final byte[] skipped = new byte[8192];

        PassingOn(InputStream in, OutputStream sink) {
            this.in = in;
            this.sink = sink;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sink.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                sink.write(buffer, offset, n);
            }
            return n;
        }

        @Override
        public long skip(long count) throws IOException {
            long done = 0;
            while (done < count) {
                int n = read(skipped, 0, (int) Math.min(skipped.length, count - done));
                if (n < 0) {
                    break;
                }
                done += n;
            }
            return done;
        }

        void passRest(byte[] block) throws IOException {
            while (read(block, 0, block.length) >= 0) {
                // bytes after the last member pass on too
            }
        }
    }
}
