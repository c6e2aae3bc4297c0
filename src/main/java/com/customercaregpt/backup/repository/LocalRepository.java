package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.repository.store.local.LocalStore;

import java.nio.file.Path;

/** A repository in a local folder: {@code <root>/backups/<backup_id>/...}. */
public final class LocalRepository extends StoreRepository {

    private final LocalStore store;

    public LocalRepository(Path root) {
        this(new LocalStore(root));
    }

    private LocalRepository(LocalStore store) {
        super(store);
        this.store = store;
    }

    public Path folder(BackupId id) {
        return store.path(place(id));
    }

    /** The artifact as a local file, for tools that need a seekable file (pg_restore -j). */
    public Path artifactFile(BackupId id, String path) {
        return folder(id).resolve(Repository.checkRelativePath(path));
    }
}
