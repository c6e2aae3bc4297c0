package com.customercaregpt.backup.pipeline;

import com.customercaregpt.backup.backup.StepFailure;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Archives folders with GNU tar (POSIX/pax format: any file name, modes, symlinks kept as links,
 * empty folders). The facts come from tar's own index of what it wrote, so they describe the
 * archive exactly even when the folder changes while it is read.
 */
public final class TarArchiver {

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
    public Map<String, Object> archive(List<Source> sources, ArtifactOutput out, Path scratch) throws IOException {
        Path index = PrivateFiles.createEmpty(scratch.resolve("tar-index.txt"));
        List<String> command = new ArrayList<>(List.of("tar", "--create", "--file=-"));
        command.addAll(options);
        command.addAll(List.of("--verbose", "--verbose", "--index-file=" + index));
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
        // Exit 1 is GNU tar's "some files differ": a file changed while it was read. The archive is
        // valid and holds what was read; the warning is kept in the facts instead of failing.
        ExternalTool.Outcome outcome = new ExternalTool(component, "tar")
                .streamTo(command, Map.of(), null, out, Set.of(0, 1));
        Map<String, Object> facts = countIndex(index);
        if (outcome.exitCode() == 1) {
            facts.put("tar_warning", outcome.lastStderrLine());
        }
        return facts;
    }

    /** Reads tar's `-vv` index: one ls-style line per member, type in column 1, size in column 3. */
    static Map<String, Object> countIndex(Path index) throws IOException {
        long entries = 0;
        long files = 0;
        long directories = 0;
        long symlinks = 0;
        long others = 0;
        long bytes = 0;
        try (BufferedReader reader = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                entries++;
                switch (line.charAt(0)) {
                    case '-' -> {
                        files++;
                        bytes += sizeColumn(line);
                    }
                    case 'h' -> files++;
                    case 'd' -> directories++;
                    case 'l' -> symlinks++;
                    default -> others++;
                }
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("tar_entries", entries);
        facts.put("file_count", files);
        facts.put("directory_count", directories);
        facts.put("symlink_count", symlinks);
        facts.put("other_count", others);
        facts.put("total_bytes", bytes);
        return facts;
    }

    private static long sizeColumn(String line) {
        String[] columns = line.trim().split("\\s+", 4);
        try {
            return columns.length > 2 ? Long.parseLong(columns[2]) : 0;
        } catch (NumberFormatException deviceNumbers) {
            return 0;
        }
    }
}
