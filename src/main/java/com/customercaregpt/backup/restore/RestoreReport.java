package com.customercaregpt.backup.restore;

import java.util.List;
import java.util.Map;

/**
 * What a restore did (or, with --dry-run, would do): per component its plan, and what was kept
 * of the replaced data (removed later by `cleanup --pre-restore`).
 */
public record RestoreReport(String backupId, String label, boolean dryRun, String status, List<String> components,
                            Map<String, List<String>> plan, List<String> kept, String error) {
}
