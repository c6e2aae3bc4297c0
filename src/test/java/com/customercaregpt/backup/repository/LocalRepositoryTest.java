package com.customercaregpt.backup.repository;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalRepositoryTest extends RepositoryContractTest {

    @TempDir
    Path folder;

    @Override
    protected Repository newRepository() {
        return new LocalRepository(folder);
    }
}
