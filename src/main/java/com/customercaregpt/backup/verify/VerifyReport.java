package com.customercaregpt.backup.verify;

import java.util.List;

/** The outcome of re-reading one backup: every artifact checked, the bad ones named. */
public record VerifyReport(String backupId, String status, List<ArtifactCheck> artifacts) {

    public static final String OK = "ok";
    public static final String BAD = "bad";
    public static final String DELETED = "deleted";
    private static final String MANIFEST = "manifest.json";

    public record ArtifactCheck(String component, String path, String status, String error) {
    }

    /** The report of a backup whose manifest cannot be used: {@code manifestStatus} is what list shows for it. */
    public static VerifyReport badManifest(String backupId, String manifestStatus, String error) {
        return new VerifyReport(backupId, BAD, List.of(new ArtifactCheck(null, MANIFEST, manifestStatus, error)));
    }

    /** A backup deleted while it was being read: nothing is known to be wrong with what was read. */
    public static VerifyReport deleted(String backupId) {
        return new VerifyReport(backupId, DELETED, List.of(new ArtifactCheck(null, "", DELETED, "deleted while verifying")));
    }

    /** No bad artifact was found (a backup deleted while verifying is not bad). */
    public boolean ok() {
        return !BAD.equals(status);
    }

    /** "unreadable" or "manifest-missing" when the manifest is the problem (the catalog marks the backup so), else null. */
    public String manifestStatus() {
        return artifacts.stream().filter(a -> a.component() == null && MANIFEST.equals(a.path())
                && !BAD.equals(a.status())).map(ArtifactCheck::status).findFirst().orElse(null);
    }
}
