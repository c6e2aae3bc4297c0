package com.customercaregpt.backup.component;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ConfigComponent.RestoredFile;
import com.customercaregpt.backup.pipeline.Folders;
import com.customercaregpt.backup.pipeline.PrivateFiles;
import com.customercaregpt.backup.repository.BuildRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Config files swapped in for the live ones: each restored file written beside its live file
 * ({@code <file>.restored-<label>}) with the live file's owner, group and mode; at the swap the
 * live file is kept as {@code <file>.pre-restore-<label>} (a hard link) and the restored one
 * renamed over it, so its path always holds a whole file. A failed swap puts every file back.
 */
final class ConfigSwap implements PreparedRestore {

    /** One file: the live path (a link's target), its restored copy beside it, the kept name, what it must hold. */
    private record Swap(Path live, Path restored, Path kept, String content, boolean created) {
    }

    private final List<Swap> swaps;

    private ConfigSwap(List<Swap> swaps) {
        this.swaps = swaps;
    }

    static Path sibling(Path live, String kind, String label) {
        return live.resolveSibling(live.getFileName() + "." + kind + "-" + label);
    }

    /** Writes every restored copy beside its live file; on a failure the copies written so far go. */
    static ConfigSwap prepare(RestoreContext context, List<RestoredFile> files) throws IOException {
        List<Swap> swaps = new ArrayList<>();
        ConfigSwap prepared = new ConfigSwap(swaps);
        for (RestoredFile file : files) {
            // a link stays a link: the file it points to is the one swapped
            boolean created = !Files.exists(file.live());
            Path live = created ? file.live() : file.live().toRealPath();
            Swap swap = new Swap(live, sibling(live, "restored", context.label()),
                    sibling(live, "pre-restore", context.label()), file.content(), created);
            try {
                if (Files.exists(swap.restored(), LinkOption.NOFOLLOW_LINKS)
                        || Files.exists(swap.kept(), LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(swap.restored().getFileName() + " or " + swap.kept().getFileName()
                            + " is already there");
                }
                context.willBuild(BuildRecord.Item.file(swap.restored()));
                swaps.add(swap);
                Files.createDirectories(live.getParent());
                PrivateFiles.writeAtomically(swap.restored(), file.content().getBytes(StandardCharsets.UTF_8));
                takeAttributes(swap, file.backedUpMode());
            } catch (IOException e) {
                prepared.discard();
                throw new StepFailure(ConfigComponent.NAME, "restore", "cannot write " + swap.restored()
                        + " with the owner and mode of " + live + ": " + e.getMessage(), e);
            }
        }
        return prepared;
    }

    /** The live file's owner, group and mode; a file not there live gets the mode it was backed up with. */
    private static void takeAttributes(Swap swap, String backedUpMode) throws IOException {
        if (swap.created()) {
            if (backedUpMode != null) {
                Files.setPosixFilePermissions(swap.restored(), PosixFilePermissions.fromString(backedUpMode));
            }
            return;
        }
        PosixFileAttributes live = Files.readAttributes(swap.live(), PosixFileAttributes.class);
        PosixFileAttributeView restored = Files.getFileAttributeView(swap.restored(), PosixFileAttributeView.class);
        PosixFileAttributes current = restored.readAttributes();
        if (!live.owner().equals(current.owner())) {
            restored.setOwner(live.owner());
        }
        if (!live.group().equals(current.group())) {
            restored.setGroup(live.group());
        }
        restored.setPermissions(live.permissions());
    }

    @Override
    public List<String> plan() {
        return outcome();
    }

    @Override
    public List<String> outcome() {
        return swaps.stream().map(s -> s.created()
                ? "create " + s.live() + " (not there live)"
                : "swap " + s.live() + " with the restored copy; keep the old one as " + s.kept()).toList();
    }

    /** Stopped by backup.config.stop-command, when set, around the swap. */
    @Override
    public boolean needsServiceStopped() {
        return true;
    }

    @Override
    public List<String> commit() throws IOException {
        List<Swap> done = new ArrayList<>();
        for (Swap swap : swaps) {
            try {
                if (!swap.created()) {
                    Files.createLink(swap.kept(), swap.live());
                }
                try {
                    Files.move(swap.restored(), swap.live(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    Files.deleteIfExists(swap.kept());
                    throw e;
                }
                done.add(swap);
            } catch (IOException e) {
                throw new StepFailure(ConfigComponent.NAME, "swap", "cannot swap " + swap.live() + ": " + e.getMessage()
                        + "; " + putBack(done), e);
            }
        }
        Set<Path> folders = new LinkedHashSet<>();
        swaps.forEach(s -> folders.add(s.live().getParent()));
        for (Path folder : folders) {
            Folders.syncDirectory(folder);
        }
        return swaps.stream().filter(s -> !s.created()).map(s -> s.kept().toString()).toList();
    }

    /** The files swapped so far put back, last first; says what it did, or what it could not. */
    private static String putBack(List<Swap> done) {
        List<String> failed = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            Swap swap = done.get(i);
            try {
                if (swap.created()) {
                    Files.delete(swap.live());
                } else {
                    Files.move(swap.kept(), swap.live(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                failed.add(swap.live() + " (" + e.getMessage() + (swap.created() ? "" : "; the old one is " + swap.kept()) + ")");
            }
        }
        return failed.isEmpty() ? "every live file put back" : "cannot put back " + String.join(", ", failed);
    }

    /** Each live file now holds what was restored. */
    @Override
    public void checkLive() throws IOException {
        for (Swap swap : swaps) {
            if (!Files.readString(swap.live(), StandardCharsets.UTF_8).equals(swap.content())) {
                throw new StepFailure(ConfigComponent.NAME, "check live", swap.live()
                        + " does not hold the restored file after the swap");
            }
        }
    }

    @Override
    public void discard() {
        swaps.forEach(s -> Folders.deleteTreeQuietly(s.restored()));
    }
}
