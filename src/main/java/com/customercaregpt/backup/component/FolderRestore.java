package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Restores a tar artifact as a folder the safe way, for the file-based components (uploads,
 * chromadb): extract into a sibling folder, check its counts against the facts, then swap by
 * rename, keeping the replaced folder beside it as {@code <folder>.pre-restore-<label>}.
 */
final class FolderRestore implements PreparedRestore {

    private final String component;
    private final Path live;
    private final Path prepared;
    private final boolean isolated;
    private final String label;
    private final boolean stopService;
    private final Runnable liveCheck;

    /** A folder a backup reads: present and readable, for a component's health check. */
    static String checkReadableFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder) || !Files.isReadable(folder)) {
            throw new IOException(folder + " is missing or unreadable");
        }
        return folder + " is readable";
    }

    private FolderRestore(String component, Path live, Path prepared, boolean isolated, String label,
                          boolean stopService, Runnable liveCheck) {
        this.component = component;
        this.live = live;
        this.prepared = prepared;
        this.isolated = isolated;
        this.label = label;
        this.stopService = stopService;
        this.liveCheck = liveCheck;
    }

    /** The restore's lines for --dry-run. */
    static List<String> plan(String component, Path live, RestoreContext context, String archiveName) {
        Path target = target(component, live, context);
        List<Archive> archives = archives(context, archiveName);
        String extract = "extract " + archives.stream().map(Archive::describe).reduce((a, b) -> a + ", then " + b)
                .orElseThrow() + (archives.size() > 1 ? " (tar --incremental, in this order)" : "");
        String needs = "needs " + Sizes.human(rawSize(archives)) + " in ";
        if (context.targetDir().isPresent()) {
            return List.of(extract + " into " + target + " (nothing live is touched)", needs + target.getParent());
        }
        return List.of(extract + " into " + sibling(live, "restore", context.label()),
                "check file counts against the backup's facts",
                "swap: " + live + " -> " + sibling(live, "pre-restore", context.label()) + " (kept), restored copy -> " + live,
                needs + live.getParent());
    }

    /** One archive of the restore chain and the reader of its backup. */
    private record Archive(String backupId, Artifact artifact, ArtifactReader reader) {
        String describe() {
            return backupId + "/" + artifact.path();
        }
    }

    /** The chain's archives, oldest first (one for a full backup). */
    private static List<Archive> archives(RestoreContext context, String archiveName) {
        return context.chain().stream()
                .map(link -> new Archive(link.backupId(), link.artifact(archiveName), link.reader())).toList();
    }

    private static long rawSize(List<Archive> archives) {
        return archives.stream().mapToLong(a -> a.artifact().rawSizeBytes()).sum();
    }

    /** {@code checkFiles}: every restored file against the backup's checksum list too (backup.restore.file-checksums). */
    static FolderRestore prepare(String component, Path live, RestoreContext context, String archiveName,
                                 List<String> extractOptions, boolean checkFiles, boolean stopService,
                                 Runnable liveCheck) {
        List<Archive> archives = archives(context, archiveName);
        boolean isolated = context.targetDir().isPresent();
        Path target = isolated ? target(component, live, context) : sibling(live, "restore", context.label());
        try {
            if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
                throw new StepFailure(component, "restore", "target folder " + target + " exists and is not empty");
            }
            if (!isolated) {
                context.willBuild(BuildRecord.Item.folder(target));
            }
            Files.createDirectories(target);
            requireSpace(component, target.getParent(), rawSize(archives));
            for (Archive archive : archives) {
                try (InputStream tar = archive.reader().openDecompressed(archive.artifact())) {
                    List<String> command = new ArrayList<>(List.of("tar", "--extract", "--file=-"));
                    if (archives.size() > 1) {
                        // each folder's listing removes what was deleted or renamed since the archive before
                        command.add("--incremental");
                    }
                    command.addAll(extractOptions);
                    command.add("--directory=" + target);
                    new ExternalTool(component, "tar -x " + archive.describe()).streamFrom(command, Map.of(), null, tar);
                }
            }
            checkCounts(component, target, context.record().facts());
            if (checkFiles) {
                checkChecksums(component, target, context, archiveName);
            }
            // on disk before the swap, so that a power cut after it finds the restored files whole
            Folders.syncTree(target);
        } catch (IOException e) {
            Folders.deleteTreeQuietly(isolated ? null : target);
            throw new StepFailure(component, "restore", "cannot extract into " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Folders.deleteTreeQuietly(isolated ? null : target);
            throw e;
        }
        return new FolderRestore(component, live, target, isolated, context.label(), stopService && !isolated, liveCheck);
    }

    private static Path target(String component, Path live, RestoreContext context) {
        return context.targetDir().map(dir -> dir.resolve(component)).orElse(live);
    }

    static Path sibling(Path live, String kind, String label) {
        return live.resolveSibling(live.getFileName() + "." + kind + "-" + label);
    }

    @Override
    public List<String> plan() {
        return isolated ? List.of("restored into " + prepared)
                : List.of("swap " + live + " with the restored copy; keep the old one as " + sibling(live, "pre-restore", label));
    }

    @Override
    public boolean needsServiceStopped() {
        return stopService;
    }

    @Override
    public List<String> commit() throws IOException {
        if (isolated) {
            return List.of();
        }
        Path kept = sibling(live, "pre-restore", label);
        if (Files.exists(live, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(live, kept, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(prepared, live, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(kept, live, StandardCopyOption.ATOMIC_MOVE); // put the live data back
            throw e;
        }
        Folders.syncDirectory(live.getParent());
        return Files.exists(kept, LinkOption.NOFOLLOW_LINKS) ? List.of(kept.toString()) : List.of();
    }

    @Override
    public void checkLive() {
        if (!isolated) {
            liveCheck.run();
        }
    }

    @Override
    public void discard() {
        if (!isolated) {
            Folders.deleteTreeQuietly(prepared);
        }
    }

    /** The extracted tree against the backup's counts (the root folder counts as a directory, as in tar). */
    static void checkCounts(String component, Path folder, Map<String, Object> facts) throws IOException {
        long files = 0;
        long directories = 0;
        long symlinks = 0;
        try (Stream<Path> tree = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                if (Files.isSymbolicLink(p)) {
                    symlinks++;
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    directories++;
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files++;
                }
            }
        }
        Map<String, Long> found = Map.of("file_count", files, "directory_count", directories, "symlink_count", symlinks);
        for (Map.Entry<String, Long> count : found.entrySet()) {
            Object expected = facts.get(count.getKey());
            if (expected != null && ((Number) expected).longValue() != count.getValue()) {
                throw new StepFailure(component, "check restored files", count.getKey() + " is " + count.getValue()
                        + " in " + folder + " but the backup holds " + expected);
            }
        }
    }

    /**
     * Every restored file against the checksum list of the newest backup of the chain (which lists
     * the whole folder at that backup); a backup made before these lists existed has none to check.
     */
    private static void checkChecksums(String component, Path folder, RestoreContext context, String archiveName)
            throws IOException {
        ChainLink newest = context.chain().get(context.chain().size() - 1);
        Optional<Artifact> list = newest.find(FileChecksums.listingName(archiveName));
        if (list.isEmpty()) {
            return;
        }
        FileChecksums.Result result;
        try (InputStream in = newest.reader().openDecompressed(list.get())) {
            result = FileChecksums.compare(folder, in, context.scratch());
        }
        if (!result.matches()) {
            throw new StepFailure(component, "check restored files", folder + ": " + result.describe());
        }
    }

    static void requireSpace(String component, Path folder, long bytes) throws IOException {
        Path existing = folder;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        if (free < bytes) {
            throw new StepFailure(component, "check free space", "needs " + Sizes.human(bytes)
                    + " in " + existing + " but only " + Sizes.human(free) + " is free");
        }
    }

    /** A snapshot file starts with "GNU tar-<version>-<format>" and is read to its end (checksum). */
    private static void verifySnapshot(String component, Verification v) throws IOException {
        try (InputStream in = v.reader().openDecompressed(v.artifact())) {
            String head = new String(in.readNBytes(8), StandardCharsets.US_ASCII);
            if (!head.equals("GNU tar-")) {
                throw new StepFailure(component, "verify tar snapshot", v.artifact().path()
                        + " is not a GNU tar snapshot file");
            }
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** Every line of a checksum list is a sha256sum line (read to its end: checksum). */
    private static void verifyChecksumList(Verification v) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                v.reader().openDecompressed(v.artifact()), StandardCharsets.UTF_8))) {
            while (SumLine.next(lines) != null) {
                // each line parses
            }
        }
    }

    private static boolean isEmpty(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        }
    }


    /**
     * tar -t of the archive: its entry count must match the facts; a tar snapshot file must be one
     * GNU tar wrote. Shared by the tar-based components.
     */
    static void verifyTar(String component, Verification v) throws IOException {
        if (FolderArchive.SNAPSHOT_FORMAT.equals(v.artifact().format())) {
            verifySnapshot(component, v);
            return;
        }
        if (ChecksumListing.FORMAT.equals(v.artifact().format())) {
            verifyChecksumList(v);
            return;
        }
        Path listing = PrivateFiles.createEmpty(v.scratch().resolve("tar-listing.txt"));
        try (InputStream tar = v.reader().openDecompressed(v.artifact())) {
            new ExternalTool(component, "tar -t").streamFrom(List.of("sh", "-c", "tar --list --file=- > \"$0\"",
                    listing.toString()), Map.of(), null, tar);
        }
        long entries;
        try (Stream<String> lines = Files.lines(listing, StandardCharsets.ISO_8859_1)) {
            entries = lines.count();
        }
        Object expected = v.facts().get("tar_entries");
        if (expected != null && ((Number) expected).longValue() != entries) {
            throw new StepFailure(component, "verify tar", v.artifact().path() + " lists " + entries
                    + " entries but the manifest says " + expected);
        }
    }
}
