package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.ExternalTool;
import com.customercaregpt.backup.pipeline.Folders;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A restored folder against the sha256sum list of its backup ({@link ChecksumListing}): every
 * listed file present with its SHA-256, and no other regular file. The folder's names are sorted
 * ({@link #sortByBytes}) and read beside the list, so memory does not grow with the number of files.
 */
public final class FileChecksums {

    private static final int BLOCK = 256 * 1024;
    /** Lines sorted in memory (about 200 bytes each); more go through sort(1). */
    static final long SORTED_IN_MEMORY = 50_000;

    /** What the comparison found; {@code firstPath} is the first offending path in the list's order (null: none). */
    public record Result(long files, long changed, long missing, long extra, String firstPath, String firstProblem) {

        public boolean matches() {
            return firstPath == null;
        }

        /** "2 files differ from the checksum list of 40: first a/b.pdf (changed); 1 changed, 1 missing, 0 extra". */
        public String describe() {
            if (matches()) {
                return files + " files match their SHA-256";
            }
            return (changed + missing + extra) + " files differ from the checksum list of " + files + ": first "
                    + firstPath + " (" + firstProblem + "); " + changed + " changed, " + missing + " missing, "
                    + extra + " extra";
        }
    }

    private FileChecksums() {
    }

    /** The file name of a folder component's checksum list beside {@code archiveName}. */
    public static String listingName(String archiveName) {
        return ChecksumListing.listingName(archiveName);
    }

    /** {@code folder} against {@code list} (a sha256sum list, read to its end); {@code scratch} holds the sorted names. */
    public static Result compare(Path folder, InputStream list, Path scratch) throws IOException {
        Path names = regularFiles(folder, scratch);
        long files = 0;
        long changed = 0;
        long missing = 0;
        long extra = 0;
        String firstPath = null;
        String firstProblem = null;
        try (BufferedReader listed = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8));
             BufferedReader found = Files.newBufferedReader(names, StandardCharsets.UTF_8)) {
            SumLine expected = SumLine.next(listed);
            String present = found.readLine();
            while (expected != null || present != null) {
                int order = expected == null ? 1 : present == null ? -1 : SumLine.compare(expected.escapedPath(), present);
                String path;
                String problem = null;
                if (order < 0) {
                    files++;
                    missing++;
                    path = expected.escapedPath();
                    problem = "missing";
                    expected = SumLine.next(listed);
                } else if (order > 0) {
                    extra++;
                    path = present;
                    problem = "extra";
                    present = found.readLine();
                } else {
                    files++;
                    path = present;
                    if (!sha256(folder.resolve(expected.path())).equals(expected.hex())) {
                        changed++;
                        problem = "changed";
                    }
                    expected = SumLine.next(listed);
                    present = found.readLine();
                }
                if (problem != null && firstPath == null) {
                    firstPath = path;
                    firstProblem = problem;
                }
            }
        }
        Files.deleteIfExists(names);
        return new Result(files, changed, missing, extra, firstPath, firstProblem);
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = ArtifactOutput.newSha256();
        byte[] block = new byte[BLOCK];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n = in.read(block); n >= 0; n = in.read(block)) {
                digest.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The folder's regular files (not following links), escaped as in a list and sorted. */
    private static Path regularFiles(Path folder, Path scratch) throws IOException {
        Path unsorted = Files.createTempFile(scratch, "restored-files-", ".txt");
        long[] files = {0};
        try (Writer out = Files.newBufferedWriter(unsorted, StandardCharsets.UTF_8)) {
            Folders.eachRegularFile(folder, file -> {
                out.write(SumLine.escape(folder.relativize(file).toString()));
                out.write('\n');
                files[0]++;
            });
        }
        Path sorted = Files.createTempFile(scratch, "restored-files-", ".sorted");
        sortByBytes("checksums", unsorted, sorted, files[0]);
        Files.delete(unsorted);
        return sorted;
    }

    /**
     * Sorts the lines of a file by their bytes (as {@code LC_ALL=C sort}): the order of a checksum
     * list. Up to {@link #SORTED_IN_MEMORY} lines in memory (no process to start for a small
     * folder or an incremental's few changes), more with sort(1) on disk, so memory stays bounded.
     */
    static void sortByBytes(String component, Path unsorted, Path sorted, long lines) throws IOException {
        if (lines <= SORTED_IN_MEMORY) {
            List<String> all = new ArrayList<>(Files.readAllLines(unsorted, StandardCharsets.UTF_8));
            all.sort(SumLine::compare);
            Files.write(sorted, all, StandardCharsets.UTF_8);
            return;
        }
        new ExternalTool(component, "sort").capture(List.of("sort", "--output=" + sorted, unsorted.toString()),
                Map.of("LC_ALL", "C"), null);
    }
}
