package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactOutput;
import com.customercaregpt.backup.pipeline.TarArchiver;
import com.customercaregpt.backup.repository.Manifest.Artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tar of a folder component, made with GNU tar's {@code --listed-incremental} snapshot file,
 * which is stored beside it ({@code <name>.snar}): a whole archive in a full backup; in an
 * incremental or differential one only the names new or changed since the parent's snapshot, plus
 * every folder's listing, so that {@code tar --extract --incremental} of the chain in order also
 * removes what was deleted or renamed.
 */
final class FolderArchive {

    /** The {@code format} of a stored snapshot file. */
    static final String SNAPSHOT_FORMAT = "tar-snapshot";

    private FolderArchive() {
    }

    /** {@code archiveName} "uploads.tar" is stored with the snapshot "uploads.snar". */
    static String snapshotName(String archiveName) {
        return archiveName.replaceFirst("\\.tar$", "") + ".snar";
    }

    /** Writes the archive and its snapshot; returns the facts. */
    static Map<String, Object> backUp(String component, String archiveName, TarOptions tar,
                                      List<TarArchiver.Source> sources, ComponentContext context) throws IOException {
        String snapshotName = snapshotName(archiveName);
        Path snapshot = context.scratch().resolve(snapshotName);
        Optional<ParentBackup> parent = context.parent();
        Optional<Artifact> parentSnapshot = parent.flatMap(p ->
                new ChainLink(p.backupId(), p.type(), p.record(), p.reader()).find(snapshotName));
        if (parentSnapshot.isPresent()) {
            // a copy: tar rewrites the file it is given, and the parent's must stay as it is
            try (InputStream in = parent.get().reader().openDecompressed(parentSnapshot.get())) {
                Files.copy(in, snapshot, StandardCopyOption.REPLACE_EXISTING);
            }
            TarSnapshot.identifyFoldersByName(snapshot, sources.get(0).folder());
        } else {
            Files.deleteIfExists(snapshot); // no file: tar makes a level-0 archive and writes a new snapshot
        }
        Map<String, Object> facts;
        ChecksumListing checksums = new ChecksumListing(component, sources.get(0).folder(), context.scratch());
        try (ArtifactOutput out = context.newArtifact(archiveName, "tar")) {
            facts = new TarArchiver(component, tar.create()).archive(sources, out, context.scratch(), snapshot, checksums);
            out.commit();
        }
        try (ArtifactOutput out = context.newArtifact(snapshotName, SNAPSHOT_FORMAT)) {
            Files.copy(snapshot, out);
            out.commit();
        }
        checksums.store(context, ChecksumListing.listingName(archiveName), snapshot, parentSnapshot.isPresent());
        if (parentSnapshot.isPresent()) {
            // the members are only the changes: their counts say so; the folder's own come from the listings
            facts.put("incremental", true);
            facts.put("changed_file_count", facts.remove("file_count"));
            facts.put("changed_bytes", facts.remove("total_bytes"));
            facts.remove("symlink_count");
            facts.remove("other_count");
        } else if (parent.isPresent()) {
            facts.putAll(WholeCopy.facts(context, component, "backup " + parent.get().backupId()
                    + " holds no tar snapshot of " + component + ": a whole archive", true));
        }
        return facts;
    }
}
