package com.customercaregpt.backup.cli;

import com.customercaregpt.backup.backup.Sizes;
import com.customercaregpt.backup.inventory.BackupSummary;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.health.HealthReport;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.verify.VerifyReport;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Tables for people, JSON for programs. */
final class Output {

    private Output() {
    }

    static void json(PrintStream out, Object value) throws Exception {
        out.println(ManifestCodec.JSON.writeValueAsString(value));
    }

    /** --output json prints {@code value} as JSON; the default prints it for people with {@code table}. */
    static <T> void print(boolean json, T value, BiConsumer<PrintStream, T> table) throws Exception {
        if (json) {
            json(System.out, value);
        } else {
            table.accept(System.out, value);
        }
    }

    static void backupTable(PrintStream out, List<BackupSummary> backups) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"BACKUP ID", "TYPE", "ON", "STATUS", "CREATED (UTC)", "SIZE", "VERIFIED (UTC)",
                "IN S3 SINCE (UTC)", "COMPONENTS"});
        for (BackupSummary b : backups) {
            rows.add(new String[]{b.backupId(), orDash(b.type()), orDash(b.dependsOn()), b.status(), time(b.createdAt()),
                    b.type() == null ? "-" : Sizes.human(b.sizeBytes()), time(b.lastVerifiedAt()), time(b.replicatedAt()),
                    componentsCell(b)});
        }
        table(out, rows);
        if (backups.isEmpty()) {
            out.println("(no backups)");
        }
    }

    static void manifest(PrintStream out, Manifest m) {
        out.printf("Backup      %s%n", m.backupId());
        out.printf("Type        %s%n", m.dependsOn() == null ? m.type() : m.type() + " on " + m.dependsOn());
        out.printf("Status      %s%n", m.status());
        out.printf("Created     %s%n", time(m.createdAt()));
        out.printf("Completed   %s%n", time(m.completedAt()));
        out.printf("Expires     %s (%d days)%n", time(m.expiresAt()), m.retentionDays());
        out.printf("Size        %s%n", Sizes.human(m.totalSizeBytes()));
        out.printf("Tool        %s on %s%n%n", m.toolVersion(), m.host());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"COMPONENT", "STATUS", "ARTIFACT", "FORMAT", "STORED", "RAW", "SHA-256"});
        for (Manifest.ComponentRecord c : m.components()) {
            if (c.artifacts().isEmpty()) {
                rows.add(new String[]{c.name(), c.status(), "-", "-", "-", "-", "-"});
            }
            for (Manifest.Artifact a : c.artifacts()) {
                rows.add(new String[]{c.name(), c.status(), a.path(), a.format(), Sizes.human(a.sizeBytes()),
                        Sizes.human(a.rawSizeBytes()), a.sha256().substring(0, 16) + "…"});
            }
        }
        table(out, rows);
        for (Manifest.ComponentRecord c : m.components()) {
            if (c.error() != null) {
                out.printf("%nerror: %s%n", c.error());
            }
        }
    }

    static void restore(PrintStream out, RestoreReport r) {
        out.printf("%s of %s (%s): %s%n", r.dryRun() ? "Restore plan" : "Restore", r.backupId(), r.label(), r.status());
        r.plan().forEach((component, lines) -> {
            out.println();
            out.println(component + ":");
            lines.forEach(line -> out.println("  - " + line));
        });
        if (!r.kept().isEmpty()) {
            out.println();
            out.println("Kept (remove with `cleanup --pre-restore` once you are sure):");
            r.kept().forEach(k -> out.println("  " + k));
        }
    }

    static void verify(PrintStream out, List<VerifyReport> reports) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"BACKUP ID", "ARTIFACT", "STATUS", "ERROR"});
        for (VerifyReport r : reports) {
            for (VerifyReport.ArtifactCheck a : r.artifacts()) {
                rows.add(new String[]{r.backupId(), a.path(), a.status(), a.error() == null ? "" : a.error()});
            }
        }
        table(out, rows);
        long bad = reports.stream().filter(r -> !r.ok()).count();
        out.printf("%n%d backup(s) verified, %d bad%n", reports.size(), bad);
    }

    static void health(PrintStream out, HealthReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"CHECK", "STATUS", "DETAIL"});
        report.checks().forEach(c -> rows.add(new String[]{c.name(), c.status(), c.detail()}));
        table(out, rows);
        out.printf("%noverall: %s%n", report.status());
    }

    static void table(PrintStream out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String componentsCell(BackupSummary b) {
        return b.components().stream()
                .map(c -> b.failedComponents().contains(c) ? c + "(failed)" : c)
                .reduce((x, y) -> x + " " + y).orElse("-");
    }

    private static String time(String iso) {
        return iso == null ? "-" : iso.replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
