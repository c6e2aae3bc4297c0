package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.backup.StepFailure;
import com.customercaregpt.backup.component.ComponentContext;
import com.customercaregpt.backup.component.ParentBackup;
import com.customercaregpt.backup.component.PostgresTools;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The database part of an incremental or differential backup with WAL on: no data of its own, a named restore
 * point (pg_create_restore_point) whose segment is switched and archived before the backup completes. Its
 * restore is the base backup it builds on plus the archived WAL up to that restore point.
 */
public final class WalPoint {

    /** facts "backup_kind" of such a backup. */
    public static final String KIND = "wal-point";
    private static final String NAME = "database";
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

    private final PostgresTools postgres;
    private final WalSettings wal;
    private final WalArchive archive;

    public WalPoint(PostgresTools postgres, WalSettings wal, WalArchive archive) {
        this.postgres = postgres;
        this.wal = wal;
        this.archive = archive;
    }

    /** The base backup a parent's database record leads to (itself, or the one its restore point builds on). */
    public static Optional<String> baseOf(ParentBackup parent) {
        Map<String, Object> facts = parent.record() == null ? null : parent.record().facts();
        if (facts == null) {
            return Optional.empty();
        }
        if (BaseBackup.PHYSICAL.equals(facts.get("backup_kind"))) {
            return Optional.of(parent.backupId());
        }
        return KIND.equals(facts.get("backup_kind")) ? Optional.of((String) facts.get("base_backup_id")) : Optional.empty();
    }

    /** Records the restore point, waits until its segment is archived, and returns the facts. */
    public Map<String, Object> record(ComponentContext context, ParentBackup parent, String baseBackupId) throws Exception {
        String name = "backup-manager-" + context.backupType() + "-" + LABEL.format(Instant.now());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("backup_kind", KIND);
        facts.put("base_backup_id", baseBackupId);
        facts.put("restore_point", name);
        String segment;
        try (Connection c = postgres.connect(postgres.database()); Statement st = c.createStatement()) {
            try (PreparedStatement point = c.prepareStatement("SELECT lsn::text, pg_walfile_name(lsn), clock_timestamp(), "
                    + "(SELECT timeline_id FROM pg_control_checkpoint()) FROM pg_create_restore_point(?) lsn")) {
                point.setString(1, name);
                try (ResultSet rs = point.executeQuery()) {
                    rs.next();
                    facts.put("restore_point_lsn", rs.getString(1));
                    segment = rs.getString(2);
                    facts.put("restore_point_time", rs.getTimestamp(3).toInstant().toString());
                    facts.put("timeline", rs.getInt(4));
                }
            }
            st.execute("SELECT pg_switch_wal()");
        } catch (SQLException e) {
            throw new StepFailure(NAME, "restore point", e.getMessage().lines().findFirst().orElse(""), e);
        }
        Map<String, Object> parentFacts = parent.record().facts();
        facts.put("wal_from", parentFacts.containsKey("wal_to") ? parentFacts.get("wal_to")
                : BasePoint.of(parent.backupId(), parentFacts).map(BasePoint::endSegment).orElse(null));
        facts.put("wal_to", segment);
        awaitArchived(segment);
        facts.put("tables", parentFacts.get("tables"));
        return facts;
    }

    /** The streamer (serve or `wal stream`) archives the switched segment; a backup without it would not restore. */
    private void awaitArchived(String segment) throws IOException, InterruptedException {
        Duration wait = Duration.ofSeconds(Math.max(120, wal.maxLag().toSeconds() * 5));
        Instant deadline = Instant.now().plus(wait);
        while (Instant.now().isBefore(deadline)) {
            if (archive.contains(segment)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new StepFailure(NAME, "archive restore point", "WAL segment " + segment + " was not archived within "
                + wait.toSeconds() + " s: is the WAL streamer running (`serve` or `wal stream`)?");
    }
}
