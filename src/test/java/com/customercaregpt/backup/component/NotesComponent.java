package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A component the platform does not ship: a folder of text files (backup.notes.path), one artifact per file. */
public final class NotesComponent implements BackupComponent {

    static final String NAME = "notes";
    private static final ComponentInfo INFO = new ComponentInfo(NAME, RestoreTarget.FOLDER, "notes folder");

    private final Path folder;

    public NotesComponent(Settings settings) {
        this.folder = settings.getPath("backup.notes.path");
    }

    @Override
    public ComponentInfo info() {
        return INFO;
    }

    @Override
    public String checkHealth() throws IOException {
        return textFiles(folder).size() + " notes in " + folder;
    }

    @Override
    public Map<String, Object> backup(ComponentContext context) throws Exception {
        List<Path> files = textFiles(folder);
        for (Path file : files) {
            try (ArtifactOutput out = context.newArtifact(file.getFileName().toString(), "text")) {
                Files.copy(file, out);
                out.commit();
            }
        }
        return Map.of("file_count", files.size());
    }

    @Override
    public void verify(Verification verification) throws Exception {
        try (InputStream in = verification.reader().openDecompressed(verification.artifact())) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public List<String> planRestore(RestoreContext context) {
        return List.of("write " + context.record().artifacts().size() + " notes into " + destination(context));
    }

    @Override
    public PreparedRestore prepareRestore(RestoreContext context) throws Exception {
        Path destination = destination(context);
        Path prepared = destination.resolveSibling(destination.getFileName() + ".restore-" + context.label());
        context.willBuild(BuildRecord.Item.folder(prepared));
        Files.createDirectories(prepared);
        for (Artifact artifact : context.record().artifacts()) {
            String name = artifact.path().substring(artifact.path().indexOf('/') + 1).split("\\.txt")[0] + ".txt";
            try (InputStream in = context.reader().openDecompressed(artifact)) {
                Files.copy(in, prepared.resolve(name));
            }
        }
        long expected = ((Number) context.record().facts().get("file_count")).longValue();
        if (textFiles(prepared).size() != expected) {
            throw new StepFailure(NAME, "restore", "restored " + textFiles(prepared).size() + " notes, expected " + expected);
        }
        return new PreparedRestore() {
            @Override
            public List<String> plan() {
                return planRestore(context);
            }


            @Override
            public List<String> commit() throws IOException {
                Path kept = destination.resolveSibling(destination.getFileName() + ".pre-restore-" + context.label());
                if (Files.exists(destination)) {
                    Files.move(destination, kept);
                }
                Files.move(prepared, destination);
                return Files.exists(kept) ? List.of("folder " + kept) : List.of();
            }

            @Override
            public void checkLive() throws IOException {
                if (textFiles(destination).size() != expected) {
                    throw new StepFailure(NAME, "check live", destination + " does not hold " + expected + " notes");
                }
            }

            @Override
            public void discard() {
                try (Stream<Path> files = Files.list(prepared)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                    Files.delete(prepared);
                } catch (IOException ignored) {
                    // a leftover folder named *.restore-<label>: the next restore removes it
                }
            }
        };
    }

    private Path destination(RestoreContext context) {
        return context.targetDir().map(dir -> dir.resolve(NAME)).orElse(folder);
    }

    private static List<Path> textFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
    }
}
