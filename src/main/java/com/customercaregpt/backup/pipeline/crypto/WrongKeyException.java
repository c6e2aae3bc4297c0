package com.customercaregpt.backup.pipeline.crypto;

import java.io.IOException;

/**
 * The key at hand cannot open the backup: no key file was given, the key file holds another key,
 * or the artifact belongs to another data key. Raised before any plaintext is produced.
 */
public final class WrongKeyException extends IOException {
    public WrongKeyException(String message) {
        super(message);
    }
}
