package com.customercaregpt.backup.repository;

import com.customercaregpt.backup.repository.store.Store;
import com.customercaregpt.backup.repository.store.local.LocalStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The conformance suite on a local folder. */
class LocalRepositoryTest extends RepositoryContractTest {

    @TempDir
    Path folder;

    @Override
    protected Store newStore() {
        return new LocalStore(folder);
    }
}
