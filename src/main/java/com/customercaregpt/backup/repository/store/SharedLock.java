package com.customercaregpt.backup.repository.store;

import java.io.IOException;
import java.util.Optional;

/**
 * A repository lock kept in a store, which every process and host using that store sees: a lock
 * file in a local folder, claim objects in a bucket. RepositoryLock waits and combines them.
 */
public interface SharedLock {

    /** Where it lives, for messages. */
    String location();

    /**
     * One attempt: the held lock (close() releases it), or empty with {@code holder[0]} describing
     * who holds it. A holder found stale (heartbeat stopped, process gone) is taken over.
     */
    Optional<? extends AutoCloseable> tryAcquire(String operation, String[] holder) throws IOException;
}
