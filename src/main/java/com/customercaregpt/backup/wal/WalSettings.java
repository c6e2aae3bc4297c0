package com.customercaregpt.backup.wal;

import com.customercaregpt.backup.config.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The backup.wal.* settings and the replication connection derived from the database's. */
public record WalSettings(boolean enabled, String slot, Duration maxLag, Duration maxBackoff, String host, int port,
                          String user, String password, Path spool, int retentionDays) {

    public static WalSettings from(Settings settings) {
        String user = settings.get("backup.wal.replication-user", "");
        String password = settings.get("backup.wal.replication-password", "");
        if (user.isBlank()) {
            user = settings.get("backup.database.user", "postgres");
            password = settings.get("backup.database.password", "");
        }
        String spool = settings.get("backup.wal.spool-path", "");
        Path repository = settings.getPath("backup.repository.path");
        return new WalSettings("true".equals(settings.get("backup.wal.enabled", "false")),
                settings.get("backup.wal.slot", "backup_manager"),
                Duration.ofSeconds(settings.getInt("backup.wal.max-lag-seconds", 60)),
                Duration.ofSeconds(settings.getInt("backup.wal.max-backoff-seconds", 30)),
                settings.get("backup.database.host", "localhost"), settings.getInt("backup.database.port", 5432),
                user, password,
                (spool.isBlank() ? repository.resolve(".wal-spool") : Path.of(spool)).toAbsolutePath().normalize(),
                settings.getInt("backup.retention.wal-days", 3));
    }

    /** Connection options of pg_receivewal and pg_basebackup; the password travels in PGPASSWORD only. */
    public List<String> connectionArguments() {
        return List.of("--host=" + host, "--port=" + port, "--username=" + user, "--no-password");
    }

    public Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        if (!password.isEmpty()) {
            environment.put("PGPASSWORD", password);
        }
        environment.put("LC_MESSAGES", "C");
        return environment;
    }
}
