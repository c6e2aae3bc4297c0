package com.customercaregpt.backup.operations;

import com.customercaregpt.backup.api.ApiProblem;
import com.customercaregpt.backup.backup.BackupJob;
import com.customercaregpt.backup.backup.BackupJobs;
import com.customercaregpt.backup.repository.Manifest;
import com.customercaregpt.backup.repository.ManifestCodec;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.customercaregpt.backup.restore.RestoreReport;
import com.customercaregpt.backup.verify.VerifyReport;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import com.customercaregpt.backup.app.BackupApplication;
import com.customercaregpt.backup.catalog.CatalogRows;
import com.customercaregpt.backup.repository.Owners;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Long work started over the REST API: each gets an operation id at once (202) and runs in the
 * background. The catalog's operation table holds every operation, from any instance and from the
 * CLI; this bean adds live progress for the ones running here, and refuses (409) work that would
 * collide with a running writer of the same repository.
 */
public final class Operations {

    /** Kinds that change the repository or live systems: one at a time per repository. */
    static final Set<String> WRITERS = Set.of("backup", "restore", "delete", "cleanup");
    private static final int KEEP_FINISHED = 200;

    private final Map<String, Running> here = new LinkedHashMap<>();
    private final RepositoryLock lock;
    private final BackupJobs backupJobs;
    private final String repository;

    public Operations(RepositoryLock lock, BackupJobs backupJobs, String repository) {
        this.lock = lock;
        this.backupJobs = backupJobs;
        this.repository = repository;
    }

    /** An operation running in this process. */
    public static final class Running {
        private final String id = "op_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        private final String kind;
        private final String backupId;
        private final List<String> components;
        private final Instant startedAt = Instant.now();
        private volatile Instant completedAt;
        private volatile String backupResult;
        private volatile String outcome = Operation.RUNNING;
        private volatile Object result;
        private volatile String error;
        /** Counted down when the work has ended, for GET /operations/{id}?wait=. */
        private final CountDownLatch ended = new CountDownLatch(1);

        Running(String kind, String backupId, List<String> components) {
            this.kind = kind;
            this.backupId = backupId;
            this.components = components == null ? List.of() : List.copyOf(components);
        }

        public String getId() {
            return id;
        }
    }

    /** Registers new work, or refuses it with 409 while another writer runs on this repository. */
    public synchronized Running begin(String kind, String backupId, List<String> components) {
        if (WRITERS.contains(kind)) {
            for (Running other : here.values()) {
                if (other.completedAt == null && WRITERS.contains(other.kind)) {
                    throw new ApiProblem.Conflict("a " + other.kind + " is running on this repository (operation "
                            + other.id + ", started " + other.startedAt + "); try again when it has finished");
                }
            }
            lock.liveHolder().ifPresent(holder -> {
                throw new ApiProblem.Conflict("the repository is locked by " + holder + "; try again when it has finished");
            });
        }
        Running running = new Running(kind, backupId, components);
        here.put(running.id, running);
        forgetOldFinished();
        return running;
    }

    /** The 202 answer: where to follow the work. */
    public Map<String, Object> accepted(Running op) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operation_id", op.id);
        body.put("status", Operation.RUNNING);
        body.put("href", "/api/v1/operations/" + op.id);
        return body;
    }

    /** Records what the work returned: a manifest, a restore report, verify reports or cleanup decisions. */
    public void finished(Running op, Object value) {
        if (value instanceof Manifest manifest) {
            op.backupResult = manifest.backupId();
            op.outcome = manifest.status();
            op.result = manifest.backupId();
            if (!Manifest.COMPLETED.equals(manifest.status())) {
                op.error = backupJobs.failureSummary(manifest);
            }
        } else if (value instanceof RestoreReport report) {
            op.outcome = report.status();
            op.result = report;
            op.error = report.error();
        } else if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof VerifyReport) {
            VerifyReport report = (VerifyReport) list.get(0);
            op.outcome = report.status();
            op.result = report;
            if (!report.ok()) {
                op.error = report.artifacts().stream().map(VerifyReport.ArtifactCheck::error)
                        .filter(Objects::nonNull).reduce((a, b) -> a + "; " + b).orElse("verification failed");
            }
        } else {
            op.outcome = Operation.COMPLETED;
            op.result = value;
        }
        op.completedAt = Instant.now();
        op.ended.countDown();
    }

    public void failed(Running op, Exception e) {
        op.outcome = Operation.FAILED;
        op.error = BackupJobs.oneLine(op.kind,
                BackupApplication.rootCause(e));
        op.completedAt = Instant.now();
        op.ended.countDown();
    }

    /** The operation's row for direct:catalog-operation (inserted when it starts, updated when it ends). */
    public Map<String, Object> row(Running op) {
        Map<String, Object> row = new HashMap<>();
        row.put("operation_id", op.id);
        row.put("repository", repository);
        row.put("kind", op.kind);
        row.put("backup_id", op.backupResult != null ? op.backupResult : op.backupId);
        row.put("components", op.components.isEmpty() ? null : String.join(",", op.components));
        row.put("trigger", "api");
        row.put("status", op.outcome);
        row.put("started_at", Timestamp.from(op.startedAt));
        row.put("completed_at", op.completedAt == null ? null : Timestamp.from(op.completedAt));
        row.put("error", op.error);
        Map<String, Object> detail = new LinkedHashMap<>();
        // who runs it: an operation whose process died is marked failed when the service starts again
        detail.put("host", Owners.hostName());
        detail.put("pid", ProcessHandle.current().pid());
        if (op.result != null) {
            detail.put("result", op.result);
        }
        row.put("detail", json(detail));
        return row;
    }

    /**
     * Operations left "running" by a service on this host that is gone (killed, crashed) are
     * failed now, so that nobody waits on them; returns how many.
     */
    public int failAbandoned(DataSource catalog) throws SQLException {
        List<String> abandoned = new ArrayList<>();
        try (Connection connection = catalog.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT operation_id, detail->>'pid' "
                     + "FROM operation WHERE repository = ? AND completed_at IS NULL AND detail->>'host' = ?")) {
            select.setString(1, repository);
            select.setString(2, Owners.hostName());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String pid = rs.getString(2);
                    if (pid != null && pid.matches("\\d+") && !Owners.isAlive(Long.parseLong(pid))) {
                        abandoned.add(rs.getString(1));
                    }
                }
            }
            try (PreparedStatement fail = connection.prepareStatement("UPDATE operation SET status = 'failed', "
                    + "completed_at = now(), error = 'abandoned: the service running it stopped before it finished' "
                    + "WHERE operation_id = ? AND completed_at IS NULL")) {
                for (String id : abandoned) {
                    fail.setString(1, id);
                    fail.executeUpdate();
                }
            }
        }
        return abandoned.size();
    }

    /** One operation: live here, else its catalog row (rows: the result of the catalog query by id). */
    public Operation view(String operationId, List<Map<String, Object>> rows) {
        Running running = running(operationId);
        if (running != null) {
            return view(running);
        }
        if (rows == null || rows.isEmpty()) {
            throw new ApiProblem.NotFound("no operation " + operationId);
        }
        return view(rows.get(0));
    }

    /** Newest first: the catalog's rows, with live progress for the ones running here. */
    public List<Operation> views(List<Map<String, Object>> rows) {
        Map<String, Operation> byId = new LinkedHashMap<>();
        List<Running> live;
        synchronized (this) {
            live = new ArrayList<>(here.values());
        }
        for (int i = live.size() - 1; i >= 0; i--) {
            if (live.get(i).completedAt == null) {
                byId.put(live.get(i).id, view(live.get(i)));
            }
        }
        Map<String, Running> liveById = new HashMap<>();
        live.forEach(op -> liveById.put(op.id, op));
        for (Map<String, Object> row : rows == null ? List.<Map<String, Object>>of() : rows) {
            String id = String.valueOf(row.get("operation_id"));
            // one that just ended here is known here before its catalog row is updated
            Running here = liveById.get(id);
            byId.putIfAbsent(id, here != null ? view(here) : view(row));
        }
        return new ArrayList<>(byId.values());
    }

    /** The longest {@code ?wait=} of GET /operations/{id}: below common proxies' idle timeouts. */
    static final int MAX_WAIT_SECONDS = 60;

    /**
     * {@code ?wait=SECONDS} (0-60): holds the answer until the operation running here ends or the
     * time is up, so that a client follows long work with a few requests instead of a tight poll.
     * No wait, or an operation not running here: answers at once.
     */
    public void awaitEnd(String operationId, String waitSeconds) throws InterruptedException {
        if (waitSeconds == null || waitSeconds.isEmpty()) {
            return;
        }
        if (!waitSeconds.matches("\\d{1,2}") || Integer.parseInt(waitSeconds) > MAX_WAIT_SECONDS) {
            throw new ApiProblem.BadRequest("malformed wait", "expected whole seconds from 0 to " + MAX_WAIT_SECONDS
                    + ", got '" + waitSeconds + "'");
        }
        Running running = running(operationId);
        if (running != null) {
            running.ended.await(Integer.parseInt(waitSeconds), TimeUnit.SECONDS);
        }
    }

    public String operationId(String raw) {
        if (raw == null || !raw.matches("op_[0-9a-f]{20}")) {
            throw new ApiProblem.BadRequest("malformed operation id", "expected op_ and 20 hex digits, got '" + raw + "'");
        }
        return raw;
    }

    private synchronized Running running(String id) {
        return here.get(id);
    }

    private Operation view(Running op) {
        String completed = op.completedAt == null ? null : op.completedAt.toString();
        return new Operation(op.id, op.kind, Operation.status(op.outcome, completed, op.error), op.outcome,
                op.backupResult != null ? op.backupResult : op.backupId, op.components, "api", progress(op),
                op.startedAt.toString(), completed, op.result, op.error);
    }

    private String progress(Running op) {
        if (op.completedAt != null) {
            return "done";
        }
        BackupJob job = "backup".equals(op.kind) ? backupJobs.current() : null;
        return job != null ? job.progressLine() : "running";
    }

    private static Operation view(Map<String, Object> row) {
        String completed = time(row.get("completed_at"));
        String outcome = (String) row.get("status");
        String error = (String) row.get("error");
        Object result = row.get("backup_id");
        Object detail = row.get("detail");
        if (detail != null) {
            try {
                JsonNode node = ManifestCodec.JSON.readTree(detail.toString());
                if (node.has("result")) {
                    result = node.get("result");
                }
            } catch (IOException ignored) {
                // the backup id stays the result
            }
        }
        String components = (String) row.get("components");
        return new Operation((String) row.get("operation_id"), (String) row.get("kind"),
                Operation.status(outcome, completed, error), outcome, (String) row.get("backup_id"),
                components == null || components.isBlank() ? List.of() : Arrays.asList(components.split(",")),
                (String) row.get("trigger"), completed == null ? "running elsewhere" : "done",
                time(row.get("started_at")), completed, result, error);
    }

    private synchronized void forgetOldFinished() {
        List<String> finished = here.values().stream().filter(r -> r.completedAt != null).map(r -> r.id).toList();
        for (int i = 0; i < finished.size() - KEEP_FINISHED; i++) {
            here.remove(finished.get(i));
        }
    }

    private static String time(Object value) {
        return CatalogRows.iso(value);
    }

    private static String json(Object value) {
        try {
            return ManifestCodec.JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
