package com.customercaregpt.backup.verify;

import java.util.List;

/** The outcome of re-reading one backup: every artifact checked, the bad ones named. */
public record VerifyReport(String backupId, String status, List<ArtifactCheck> artifacts) {

    public static final String OK = "ok";
    public static final String BAD = "bad";

    public record ArtifactCheck(String component, String path, String status, String error) {
    }

    public boolean ok() {
        return OK.equals(status);
    }
}
