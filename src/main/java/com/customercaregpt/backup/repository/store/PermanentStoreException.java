package com.customercaregpt.backup.repository.store;

import java.io.IOException;

/** A store failure that trying again cannot mend (refused credentials or request, a wrong checksum). */
public class PermanentStoreException extends IOException {

    public PermanentStoreException(String message) {
        super(message);
    }

    public PermanentStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
