package com.customercaregpt.backup.component;

import com.customercaregpt.backup.pipeline.ArtifactReader;
import com.customercaregpt.backup.repository.BuildRecord;
import com.customercaregpt.backup.repository.Manifest.Artifact;
import com.customercaregpt.backup.repository.Manifest.ComponentRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What a component gets while it restores: the backed-up record, its artifacts, and the operator's targets. */
public interface RestoreContext {

    String backupId();

    /** This component's record in the manifest: artifacts and facts. */
    ComponentRecord record();

    /** The artifact whose path ends with {@code fileName} (plus the compression suffix). */
    default Artifact artifact(String fileName) {
        return new ChainLink(backupId(), null, record(), reader()).artifact(fileName);
    }

    /**
     * The backups whose record of this component the restore applies, oldest first, ending with
     * this one: just this one for a full backup or a whole copy; for a record that holds only
     * changes ({@code "incremental": true}), its parents back to the one that holds it whole.
     */
    default List<ChainLink> chain() {
        return List.of(new ChainLink(backupId(), null, record(), reader()));
    }

    ArtifactReader reader();

    /** UTC time of this restore, yyyyMMdd_HHmmss: names what is kept (name_pre_restore_<label>). */
    String label();

    /** --target-database: restore beside the live database under this name; nothing live is replaced. */
    Optional<String> targetDatabase();

    /** --target-dir: restore files into this folder; nothing live is replaced. */
    Optional<Path> targetDir();

    /**
     * Writes down, before it is built, something built beside the live data (a *_restoring_*
     * database, a *.restore-* folder, a private server), so that a later run removes it if this
     * restore dies. Its name must carry {@link #label()}.
     */
    void willBuild(BuildRecord.Item item) throws IOException;

    /** --to-time: recover the database to this moment (a physical base backup plus archived WAL). */
    default Optional<java.time.Instant> toTime() {
        return Optional.empty();
    }

    /** The named restore point recovery stops at (an incremental backup's with WAL on), if any. */
    default Optional<String> restorePoint() {
        return Optional.empty();
    }

    /** --target-port: the port a database restored with --target-dir keeps running on (default: a free one). */
    default Optional<Integer> targetPort() {
        return Optional.empty();
    }

    /** Something {@link #willBuild} recorded stays after the restore (a server left running in --target-dir). */
    default void keep(BuildRecord.Item item) throws IOException {
    }

    /** A private folder removed when the restore ends. */
    Path scratch() throws IOException;

    /** Where data saved from a live system before it is replaced goes (Redis's RDB): repository/pre-restore/<label>/. */
    Path preRestoreArea() throws IOException;
}
