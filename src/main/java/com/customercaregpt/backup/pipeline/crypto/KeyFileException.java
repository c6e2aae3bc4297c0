package com.customercaregpt.backup.pipeline.crypto;

import java.io.IOException;

/**
 * The key file is missing, unreadable or malformed, or {@link KeyFile#generate} would overwrite one.
 * The message is one line that names the file and never contains any of its characters.
 */
public final class KeyFileException extends IOException {
    public KeyFileException(String message) {
        super(message);
    }

    KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
