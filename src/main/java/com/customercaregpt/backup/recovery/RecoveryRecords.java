package com.customercaregpt.backup.recovery;

import com.customercaregpt.backup.catalog.CatalogSchema;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recovery runs in the catalog (table recovery_run): every run is written when it ends, with its
 * whole report; `operations` lists them and `status` reads each plan's last drill. A catalog that
 * cannot be written only warns: the run itself is done.
 */
public final class RecoveryRecords {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryRecords.class);

    private final CatalogSchema schema;
    private final DataSource catalog;
    private final String repository;

    public RecoveryRecords(CatalogSchema schema, DataSource catalog, String repository) {
        this.schema = schema;
        this.catalog = catalog;
        this.repository = repository;
    }

    /** A run as the catalog keeps it: the main facts and the whole report. */
    public record Row(String operationId, String planId, String kind, String status, String startedAt,
                      String completedAt, JsonNode report) {
    }

    public void save(RecoveryRun run) {
        try {
            schema.ensureReady();
            try (Connection connection = catalog.getConnection();
                 PreparedStatement st = connection.prepareStatement("INSERT INTO recovery_run (operation_id, repository, "
                         + "plan_id, kind, status, dry_run, trigger, backup_id, started_at, completed_at, rto_seconds, "
                         + "rto_met, rpo_seconds, rpo_met, failed_step, error, report) "
                         + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb)) "
                         + "ON CONFLICT (operation_id) DO NOTHING")) {
                st.setString(1, run.getOperationId());
                st.setString(2, repository);
                st.setString(3, run.getPlanId());
                st.setString(4, run.getKind());
                st.setString(5, run.getStatus());
                st.setBoolean(6, run.isDryRun());
                st.setString(7, run.getTrigger());
                st.setString(8, run.getRecoveryPoint() == null ? null : run.getRecoveryPoint().backupId());
                st.setTimestamp(9, Timestamp.from(run.started()));
                st.setTimestamp(10, run.getCompletedAt() == null ? null : Timestamp.from(Instant.parse(run.getCompletedAt())));
                setObjective(st, 11, run.getRto());
                setObjective(st, 13, run.getRpo());
                st.setString(15, run.getFailedStep());
                st.setString(16, run.getError());
                st.setString(17, ManifestCodec.JSON.writeValueAsString(run));
                st.executeUpdate();
            }
        } catch (SQLException | IOException | RuntimeException e) {
            LOG.warn("Catalog not updated with recovery run {} ({}): {}", run.getOperationId(), run.getPlanId(),
                    e.getMessage());
        }
    }

    private static void setObjective(PreparedStatement st, int index, RecoveryRun.Objective objective) throws SQLException {
        if (objective == null) {
            st.setNull(index, Types.BIGINT);
            st.setNull(index + 1, Types.BOOLEAN);
        } else {
            st.setLong(index, objective.achievedSeconds());
            st.setBoolean(index + 1, objective.met());
        }
    }

    /** The newest runs first, at most {@code limit}. */
    public List<Row> recent(int limit) throws SQLException {
        return query("SELECT * FROM recovery_run WHERE repository = ? ORDER BY started_at DESC LIMIT ?", null, limit);
    }

    /** The last completed or failed drill of a plan (not a dry run). */
    public Optional<Row> lastDrill(String planId) throws SQLException {
        return query("SELECT * FROM recovery_run WHERE repository = ? AND plan_id = ? AND kind = 'drill' "
                + "AND NOT dry_run ORDER BY started_at DESC LIMIT ?", planId, 1).stream().findFirst();
    }

    private List<Row> query(String sql, String planId, int limit) throws SQLException {
        schema.ensureReady();
        List<Row> rows = new ArrayList<>();
        try (Connection connection = catalog.getConnection(); PreparedStatement st = connection.prepareStatement(sql)) {
            int i = 1;
            st.setString(i++, repository);
            if (planId != null) {
                st.setString(i++, planId);
            }
            st.setInt(i, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    JsonNode report;
                    try {
                        report = ManifestCodec.JSON.readTree(rs.getString("report"));
                    } catch (IOException e) {
                        report = null;
                    }
                    rows.add(new Row(rs.getString("operation_id"), rs.getString("plan_id"), rs.getString("kind"),
                            rs.getString("status"), iso(rs.getTimestamp("started_at")), iso(rs.getTimestamp("completed_at")),
                            report));
                }
            }
        }
        return rows;
    }

    private static String iso(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}
