package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.TarArchiver;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The per-file checksum list of a folder component, stored beside its archive as
 * {@code <name>.sha256} in sha256sum's format ({@code <hex>  <path>}, sorted by path), so
 * {@code sha256sum -c} in the restored folder checks it by hand. It lists every regular file of
 * the folder at that backup: the files the archive holds are hashed as their bytes pass on to it;
 * in an incremental or differential archive the files tar's snapshot marks unchanged take their
 * hash from the parent's list. Records are sorted in memory up to a bound and by sort(1) in
 * scratch beyond it, so memory does not grow with the number of files.
 */
final class ChecksumListing implements TarArchiver.MemberDigests {

    /** The {@code format} of a stored checksum list. */
    static final String FORMAT = "sha256sum";

    private final String component;
    private final Path folder;
    private final Path scratch;
    private final Path records;
    private final Writer writer;
    /** Hard links (name, target): rare, resolved once the archive is written. */
    private final List<String[]> hardLinks = new ArrayList<>();
    private long recordCount;

    /** {@code folder}: the folder tar reads, for an unchanged file no parent list holds. */
    ChecksumListing(String component, Path folder, Path scratch) throws IOException {
        this.component = component;
        this.folder = folder;
        this.scratch = scratch;
        this.records = scratch.resolve("checksums.records");
        this.writer = Files.newBufferedWriter(records, StandardCharsets.UTF_8);
    }

    /** {@code archiveName} "uploads.tar" is listed in "uploads.sha256". */
    static String listingName(String archiveName) {
        return archiveName.replaceFirst("\\.tar$", "") + ".sha256";
    }

    @Override
    public void file(String name, byte[] sha256) throws IOException {
        record(SumLine.escape(relative(name)), HexFormat.of().formatHex(sha256));
    }

    @Override
    public void hardLink(String name, String target) {
        hardLinks.add(new String[] {SumLine.escape(relative(name)), SumLine.escape(relative(target))});
    }

    /**
     * Writes the list as the artifact {@code listingName}; {@code snapshot} is tar's snapshot after
     * the archive, which holds only the changes since the parent's when {@code changesOnly}.
     */
    void store(ComponentContext context, String listingName, Path snapshot, boolean changesOnly) throws IOException {
        writer.flush();
        resolveHardLinks();
        if (changesOnly) {
            Optional<ParentBackup> parent = context.parent();
            Optional<Artifact> parentList = parent.flatMap(p ->
                    new ChainLink(p.backupId(), p.type(), p.record(), p.reader()).find(listingName));
            try (InputStream in = parentList.isPresent() ? parent.get().reader().openDecompressed(parentList.get()) : null) {
                addUnchanged(snapshot, Optional.ofNullable(in));
            }
        }
        writer.close();
        Path sorted = sort(records, "checksums.sorted", recordCount);
        try (BufferedReader in = Files.newBufferedReader(sorted, StandardCharsets.UTF_8);
             ArtifactOutput out = context.newArtifact(listingName, FORMAT)) {
            Writer lines = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            for (String record = in.readLine(); record != null; record = in.readLine()) {
                int split = record.indexOf('\0');
                lines.write(new SumLine(record.substring(split + 1), record.substring(0, split)).format());
            }
            lines.flush();
            out.commit();
        }
    }

    private void record(String escapedPath, String hex) throws IOException {
        writer.write(escapedPath);
        writer.write('\0');
        writer.write(hex);
        writer.write('\n');
        recordCount++;
    }

    private void resolveHardLinks() throws IOException {
        if (hardLinks.isEmpty()) {
            return;
        }
        Map<String, String> targets = new HashMap<>();
        hardLinks.forEach(link -> targets.put(link[1], null));
        try (BufferedReader in = Files.newBufferedReader(records, StandardCharsets.UTF_8)) {
            for (String record = in.readLine(); record != null; record = in.readLine()) {
                String path = record.substring(0, record.indexOf('\0'));
                if (targets.containsKey(path)) {
                    targets.put(path, record.substring(path.length() + 1));
                }
            }
        }
        for (String[] link : hardLinks) {
            String hex = targets.get(link[1]);
            record(link[0], hex != null ? hex : hashLive(link[0]));
        }
    }

    /**
     * The files tar's snapshot marks unchanged ('N'), each with its hash in the parent's list
     * (both sorted, read side by side); one the parent does not list (a list older than this
     * format, a folder renamed) is hashed in the folder, and one that is no regular file is left out.
     */
    private void addUnchanged(Path snapshot, Optional<InputStream> parentList) throws IOException {
        Path names = scratch.resolve("checksums.unchanged");
        long[] count = {0};
        try (Writer out = Files.newBufferedWriter(names, StandardCharsets.UTF_8)) {
            TarSnapshot.unchangedFiles(snapshot, name -> {
                out.write(SumLine.escape(relative(name)));
                out.write('\n');
                count[0]++;
            });
        }
        Path sortedNames = sort(names, "checksums.unchanged.sorted", count[0]);
        try (BufferedReader wanted = Files.newBufferedReader(sortedNames, StandardCharsets.UTF_8);
             BufferedReader parent = parentList.map(in -> new BufferedReader(
                     new InputStreamReader(in, StandardCharsets.UTF_8))).orElse(null)) {
            SumLine known = parent == null ? null : SumLine.next(parent);
            for (String path = wanted.readLine(); path != null; path = wanted.readLine()) {
                while (known != null && SumLine.compare(known.escapedPath(), path) < 0) {
                    known = SumLine.next(parent);
                }
                if (known != null && known.escapedPath().equals(path)) {
                    record(path, known.hex());
                } else {
                    String hex = hashLive(path);
                    if (hex != null) {
                        record(path, hex);
                    }
                }
            }
        }
    }

    /** The SHA-256 of a regular file of the folder, or null when it is none (a symlink, gone). */
    private String hashLive(String escapedPath) throws IOException {
        Path file = folder.resolve(SumLine.unescape(escapedPath));
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return FileChecksums.sha256(file);
    }

    private Path sort(Path unsorted, String sortedName, long lines) throws IOException {
        Path sorted = scratch.resolve(sortedName);
        FileChecksums.sortByBytes(component, unsorted, sorted, lines);
        return sorted;
    }

    /** "./a/b" (tar's member name) is "a/b". */
    private static String relative(String memberName) {
        return memberName.startsWith("./") ? memberName.substring(2) : memberName;
    }
}
