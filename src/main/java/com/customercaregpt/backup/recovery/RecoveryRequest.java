package com.customercaregpt.backup.recovery;

/**
 * What the operator asked: run plan {@code planId} (a drill when {@code drill}), from backup
 * {@code backupId} or the state at {@code toTime} (else the newest restorable backup).
 */
public record RecoveryRequest(String planId, String backupId, String toTime, boolean dryRun, boolean drill,
                              String trigger) {
}
