package com.customercaregpt.backup.backup;

/** Bad input from the operator (unknown component, malformed id, ...): exit code 2, nothing changed. */
public class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }
}
