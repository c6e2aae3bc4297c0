package com.customercaregpt.backup.repository;

import java.io.IOException;
import java.util.Optional;

/** A lock in storage that several hosts share (the S3 bucket), taken together with the local one. */
public interface SharedLock {

    /** Where it lives, for messages. */
    String location();

    /** One attempt: the held lock, or empty with {@code holder[0]} describing who holds it. */
    Optional<? extends AutoCloseable> tryAcquire(String operation, String[] holder) throws IOException;
}
