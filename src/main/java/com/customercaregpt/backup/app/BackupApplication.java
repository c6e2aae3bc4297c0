package com.customercaregpt.backup.app;

import com.customercaregpt.backup.alert.Alerts;
import com.customercaregpt.backup.alert.Conditions;
import com.customercaregpt.backup.alert.Findings;
import com.customercaregpt.backup.api.ApiGuard;
import com.customercaregpt.backup.api.ApiDocument;
import com.customercaregpt.backup.api.ApiReplies;
import com.customercaregpt.backup.api.ApiRequests;
import com.customercaregpt.backup.api.BackupListCache;
import com.customercaregpt.backup.backup.BackupJobs;
import com.customercaregpt.backup.catalog.CatalogChanges;
import com.customercaregpt.backup.operations.Operations;
import com.customercaregpt.backup.observe.Observability;
import com.customercaregpt.backup.backup.ProgressMarkers;
import com.customercaregpt.backup.catalog.CatalogRows;
import com.customercaregpt.backup.catalog.CatalogSchema;
import com.customercaregpt.backup.component.BackupComponent;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.component.PostgresTools;
import com.customercaregpt.backup.health.HealthChecks;
import com.customercaregpt.backup.recovery.Drills;
import com.customercaregpt.backup.recovery.RecoveryPlans;
import com.customercaregpt.backup.recovery.RecoveryRecords;
import com.customercaregpt.backup.recovery.RecoveryRuns;
import com.customercaregpt.backup.recovery.RecoveryStatus;
import com.customercaregpt.backup.recovery.StepTimer;
import com.customercaregpt.backup.recovery.ValidationChecks;
import com.customercaregpt.backup.restore.KeptData;
import com.customercaregpt.backup.restore.Leftovers;
import com.customercaregpt.backup.retention.Retention;
import com.customercaregpt.backup.restore.RestoreJobs;
import com.customercaregpt.backup.verify.Verifier;
import com.customercaregpt.backup.wal.WalReports;
import com.customercaregpt.backup.wal.WalService;
import com.customercaregpt.backup.wal.WalStreamer;
import com.customercaregpt.backup.config.SecretFiles;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.inventory.Inventory;
import com.customercaregpt.backup.pipeline.Compression;
import com.customercaregpt.backup.pipeline.CpuPriority;
import com.customercaregpt.backup.pipeline.DaemonThreads;
import com.customercaregpt.backup.repository.LocalRepository;
import com.customercaregpt.backup.repository.LocalThenRemote;
import com.customercaregpt.backup.repository.Repository;
import java.util.function.Supplier;
import com.customercaregpt.backup.repository.ManifestKeys;
import com.customercaregpt.backup.repository.RepositoryLock;
import com.customercaregpt.backup.repository.S3Repository;
import com.customercaregpt.backup.repository.store.retry.RetryingStore;
import com.customercaregpt.backup.repository.store.s3.S3Settings;
import com.customercaregpt.backup.replication.Replicator;
import com.customercaregpt.backup.schedule.ClusteredQuartz;
import com.customercaregpt.backup.schedule.Schedule;
import com.customercaregpt.backup.schedule.ScheduleFile;
import com.customercaregpt.backup.schedule.ScheduleRuns;
import com.customercaregpt.backup.schedule.Schedules;
import com.customercaregpt.backup.service.ServiceCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.slf4j.LoggerFactory;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.LoggingLevel;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListener;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.errorhandler.DefaultErrorHandlerDefinition;
import org.apache.camel.main.SimpleMainShutdownStrategy;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.RuntimeCamelException;

/**
 * The Camel application: the routes of routes/*.camel.yaml plus the beans they call. The CLI
 * runs it in-process for one command; the service runs it until stopped.
 */
public final class BackupApplication implements AutoCloseable {

    private final Main main;
    private final ProducerTemplate template;
    private final BackupJobs backupJobs;
    /** The backup's and the restore's component threads, stopped with the application. */
    private final List<ExecutorService> pools;
    private final Settings settings;

    private final AutoCloseable catalogPool;
    private final AutoCloseable catalogChanges;
    private final ApiGuard apiGuard;
    /** `serve` with backup.wal.enabled: the WAL streamer (null otherwise). */
    private WalStreamer walStreamer;

    private BackupApplication(Main main, Settings settings, BackupJobs backupJobs, List<ExecutorService> pools,
                              AutoCloseable catalogPool, AutoCloseable catalogChanges, ApiGuard apiGuard) throws Exception {
        this.main = main;
        this.apiGuard = apiGuard;
        this.catalogPool = catalogPool;
        this.catalogChanges = catalogChanges;
        this.settings = settings;
        this.backupJobs = backupJobs;
        this.pools = pools;
        main.start();
        this.template = main.getCamelContext().createProducerTemplate();
    }

    /** A command runs the runbooks once; the service adds the REST API and the schedules. */
    public enum Mode { COMMAND, SERVICE }

    /** Route files only the service loads (the REST API, the schedules and how they run). */
    static final String SERVICE_ROUTES = "**/api.camel.yaml,**/schedules.camel.yaml,**/scheduling.camel.yaml";

    /**
     * A command prints its failure as one line (with --verbose, its stack trace): Camel's own
     * report of a failed exchange (message history, stack trace) would bury that line. Its logger is
     * off too: a route without onException (a component's runbook, a route in a parallel split or
     * called by a bean) reports a failure whatever logExhausted says.
     */
    private static final MainListener QUIET_FAILURES = new MainListenerSupport() {
        @Override
        public void beforeConfigure(BaseMainSupport main) {
            main.getCamelContext().getCamelContextExtension().setErrorHandlerFactory(
                    new DefaultErrorHandlerDefinition().logExhausted(false).loggingLevel(LoggingLevel.OFF.name()));
        }
    };

    public static BackupApplication start(Settings settings) throws Exception {
        return start(settings, Mode.COMMAND);
    }

    /** At service start: what restores that died left half-built goes (each removal is logged); a failure only warns. */
    private static void removeLeftovers(Leftovers leftovers) {
        try {
            leftovers.remove(false);
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(BackupApplication.class).warn("Cannot look for leftovers of dead restores: {}",
                    e.getMessage());
        }
    }

    public static BackupApplication start(Settings settings, Mode mode) throws Exception {
        SecretFiles.warnAbout(settings);
        Main main = new Main();
        // No hang-up hook of Camel's: it waits for a stop nobody makes while starting; `serve` stops itself (ServiceStop)
        main.setShutdownStrategy(new SimpleMainShutdownStrategy());
        main.setDefaultPropertyPlaceholderLocation("false");
        Properties properties = settings.asProperties();
        String routes = settings.get("camel.main.routes-include-pattern");
        List<Schedule> schedules = List.of();
        if (mode == Mode.SERVICE) {
            ServiceMode.checkPortFree(settings);
            ServiceMode.configure(settings, properties);
            routes = ServiceMode.routes(settings, routes);
            // a bad schedule stops the start here, before Camel, naming the file, the schedule and the problem
            schedules = ScheduleFile.load(ServiceMode.schedulesFile(settings), Components.namesIn(settings));
            String excluded = ServiceMode.excluded(settings);
            if (excluded != null) {
                main.configure().withRoutesExcludePattern(excluded);
            }
        } else {
            main.configure().withRoutesExcludePattern(SERVICE_ROUTES);
            main.addMainListener(QUIET_FAILURES);
        }
        // routes/errors.camel.yaml: a command reports its own failure as its one error line
        properties.setProperty("backup.run-mode", mode.name().toLowerCase(Locale.ROOT));
        // the override properties carry camel.main.routes-include-pattern too, and they win over configure()
        properties.setProperty("camel.main.routes-include-pattern", routes);
        main.setOverrideProperties(properties);
        main.configure().withRoutesIncludePattern(routes);

        Path repositoryPath = settings.getPath("backup.repository.path");
        LocalRepository repository = new LocalRepository(repositoryPath);
        // Readers see local backups first, then those only in S3 (a fresh host, a lost disk).
        Supplier<Repository> remote = Replicator.lazily(() -> new S3Repository(S3Settings.from(settings),
                RetryingStore.Policy.from(settings)));
        Repository readable = new LocalThenRemote(repository, remote,
                "true".equals(settings.get("backup.s3.enabled", "false")));
        // the management server of `serve`: health, metrics, Jolokia (observe/)
        Observability.install(main, settings, properties, mode == Mode.SERVICE, repository, repositoryPath,
                "true".equals(settings.get("backup.s3.enabled", "false")) ? remote : null);
        ProgressMarkers markers = new ProgressMarkers(repository,
                Duration.ofSeconds(settings.getInt("backup.stale-after-seconds", 120)));
        Path scratch = Path.of(settings.get("backup.scratch.path", repositoryPath.resolve(".scratch").toString()))
                .toAbsolutePath();
        // backup.components names the components in use; configuration classes register them (PlatformComponents)
        Components components = new Components(Components.namesIn(settings),
                () -> main.getCamelContext().getRegistry().findByType(BackupComponent.class));
        ManifestKeys keys = new ManifestKeys(settings.get("backup.encryption.key-file", ""));
        Duration staleAfter = Duration.ofSeconds(settings.getInt("backup.stale-after-seconds", 120));
        // With S3 on, the lock is also taken in the bucket, which other hosts share.
        RepositoryLock lock = new RepositoryLock(repositoryPath, staleAfter,
                Duration.ofSeconds(settings.getInt("backup.lock.wait-seconds", 60)),
                "true".equals(settings.get("backup.s3.enabled", "false"))
                        ? () -> remote.get().lock(staleAfter) : null);
        Inventory inventory = new Inventory(readable, markers, lock);
        BackupJobs backupJobs = new BackupJobs(repository, components, markers,
                Compression.parse(settings.get("backup.compression", "zstd")),
                settings.getInt("backup.compression.level", 3),
                Map.of("full", settings.getInt("backup.retention.full-days", 30),
                        "incremental", settings.getInt("backup.retention.incremental-days", 7),
                        "differential", settings.getInt("backup.retention.differential-days", 14)),
                scratch, toolVersion(), keys, lock);
        String catalogUrl = settings.get("backup.catalog.url");
        String catalogUser = settings.get("backup.catalog.user", "postgres");
        String catalogPassword = settings.get("backup.catalog.password", "");
        PGSimpleDataSource catalog = CatalogSchema.dataSource(catalogUrl, catalogUser, catalogPassword);
        ExecutorService componentPool = Executors.newFixedThreadPool(
                Math.max(1, settings.getInt("backup.parallel-components", 2)),
                CpuPriority.lowered(settings.getInt("backup.nice", 10), DaemonThreads.named("backup-component")));
        ExecutorService restorePool = Executors.newFixedThreadPool(
                Math.max(1, settings.getInt("backup.parallel-components", 2)), DaemonThreads.named("restore-component"));

        main.bind("settings", settings);
        Alerts alerts = alerts(settings);
        main.bind("alerts", alerts);
        main.bind("repository", repository);
        main.bind("backupJobs", backupJobs);
        main.bind("inventory", inventory);
        main.bind("alertFindings", new Findings(inventory, settings.getInt("backup.alerts.size-window", 7),
                Double.parseDouble(settings.get("backup.alerts.size-factor", "2")), Clock.systemUTC()));
        // restores record what they build beside the live data next to what they keep
        Leftovers leftovers = new Leftovers(repositoryPath.resolve("pre-restore"), new PostgresTools(settings), lock);
        main.bind("restoreJobs", new RestoreJobs(readable, inventory, components, keys,
                repositoryPath.resolve("pre-restore"), scratch, lock, leftovers));
        // A restore's components are prepared at full priority: someone is waiting for it.
        main.bind("restorePool", restorePool);
        main.bind("runbooks", new Runbooks());
        main.bind("keptData", new KeptData(repositoryPath.resolve("pre-restore"), leftovers));
        String localDays = settings.get("backup.local.retention-days", "");
        main.bind("retention", new Retention(readable, inventory, lock, repository,
                "true".equals(settings.get("backup.s3.enabled", "false")) ? remote : null,
                localDays.isBlank() ? null : settings.getInt("backup.local.retention-days", 0)));
        Replicator replicator = new Replicator(repository,
                "true".equals(settings.get("backup.s3.enabled", "false")) ? remote : null);
        main.bind("replicator", replicator);
        main.bind("conditions", conditions(settings, alerts, repositoryPath, scratch, replicator));
        main.bind("verifier", new Verifier(readable, inventory, components, keys, scratch));
        WalReports walReports = new WalReports(settings, inventory, keys);
        main.bind("walReports", walReports);
        main.bind("serviceCommands", new ServiceCommands(settings, components));
        DataSource catalogConnections = mode == Mode.SERVICE ? CatalogSchema.pooled(catalog) : catalog;
        main.bind("catalogDataSource", catalogConnections);
        CatalogSchema catalogSchema = new CatalogSchema(catalog);
        main.bind("catalogSchema", catalogSchema);
        HealthChecks healthChecks = new HealthChecks(settings, repositoryPath, inventory, catalogSchema, leftovers,
                components, "true".equals(settings.get("backup.s3.enabled", "false")) ? remote : null);
        main.bind("healthChecks", healthChecks);
        // disaster recovery: the plans are the routes of routes/disaster-recovery/, each step timed
        RecoveryPlans recoveryPlans = new RecoveryPlans(main::getCamelContext, components);
        ValidationChecks validationChecks = new ValidationChecks(settings, readable, keys, scratch);
        RecoveryRecords recoveryRecords = new RecoveryRecords(catalogSchema, catalogConnections, repository.location());
        Drills drills = new Drills(repositoryPath.resolve("pre-restore"), scratch, settings, readable, keys, leftovers);
        RecoveryRuns recoveryRuns = new RecoveryRuns(recoveryPlans, inventory, keys, lock, validationChecks, drills,
                recoveryRecords, settings, walReports);
        RecoveryStatus recoveryStatus = new RecoveryStatus(recoveryPlans, recoveryRuns, recoveryRecords);
        main.bind("recoveryPlans", recoveryPlans);
        main.bind("validationChecks", validationChecks);
        main.bind("recoveryRuns", recoveryRuns);
        main.bind("drills", drills);
        main.bind("recoveryStatus", recoveryStatus);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configured) {
                StepTimer.install(configured.getCamelContext());
            }
        });
        main.bind("recoveryRecords", recoveryRecords);
        main.bind("catalogRows", new CatalogRows(repository.location()));
        main.bind("componentPool", componentPool);
        // No token, no service: refused before anything starts.
        ApiGuard apiGuard = mode == Mode.SERVICE && ServiceMode.apiEnabled(settings) ? ApiGuard.from(settings) : null;
        String timeZone = settings.get("backup.schedule.time-zone", "UTC");
        Schedules scheduleBook = new Schedules(ServiceMode.schedulesFile(settings), timeZone, catalogSchema, catalog,
                components.names());
        main.bind("schedules", scheduleBook);
        if (mode == Mode.SERVICE) {
            ZoneId zone = ScheduleFile.timeZone(timeZone);
            main.bind("scheduleRuns", new ScheduleRuns(scheduleBook, inventory, zone,
                    Duration.ofMinutes(settings.getInt("backup.schedule.misfire-grace-minutes", 60))));
            // Quartz's tables must exist before its scheduler reads them
            catalogSchema.ensureReady();
            main.bind("quartz", ClusteredQuartz.component(
                    CatalogSchema.durableDataSource(catalogUrl, catalogUser, catalogPassword), schedules, zone));
        }
        Operations operations = new Operations(lock, backupJobs, repository.location());
        if (mode == Mode.SERVICE) {
            int abandoned = operations.failAbandoned(catalog);
            if (abandoned > 0) {
                LoggerFactory.getLogger(BackupApplication.class).warn(
                        "{} operation(s) of a stopped service on this host marked failed (abandoned)", abandoned);
            }
            removeLeftovers(leftovers);
        }
        main.bind("operations", operations);
        main.bind("apiRequests", new ApiRequests(components));
        main.bind("apiReplies", new ApiReplies());
        main.bind("apiDocument", new ApiDocument());
        CatalogChanges catalogChanges = apiGuard != null ? new CatalogChanges(catalog, catalogSchema).start() : null;
        main.bind("backupListCache", new BackupListCache(catalogChanges));
        if (apiGuard != null) {
            main.bind("apiGuard", apiGuard);
            apiGuard.installBeforeRoutes(main, settings.getInt("camel.server.port", 8080));
        }
        BackupApplication app = new BackupApplication(main, settings, backupJobs, List.of(componentPool, restorePool),
                catalogConnections instanceof AutoCloseable pool ? pool : null, catalogChanges, apiGuard);
        // a run that takes over the lock of a dead owner says so (routes/alerts.camel.yaml)
        lock.onTakeover(takeover -> app.template.sendBody("direct:alert", alerts.lockTakenOver(takeover)));
        try {
            // the components exist once Camel has started; their checks join Camel's health registry
            healthChecks.add(recoveryStatus.healthChecks());
            healthChecks.register(app.context());
            MeterRegistry metrics = app.context().getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            if (metrics != null) {
                recoveryStatus.registerGauges(metrics);
                recoveryRuns.metrics(metrics);
            }
            if (apiGuard != null) {
                apiGuard.serving(app.context());
            }
            if (mode == Mode.SERVICE) {
                app.walStreamer = WalService.startIfEnabled(settings, app.context());
            }
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        return app;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Settings settings() {
        return settings;
    }

    public BackupJobs backupJobs() {
        return backupJobs;
    }

    /** The schedules of the schedules file with their state in the catalog (CLI and REST API). */
    public Schedules schedules() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("schedules", Schedules.class);
    }

    /** Sends {@code body} to a route and returns its answer, throwing the route's own exception. */
    public <T> T request(String endpoint, Object body, Map<String, Object> headers, Class<T> type) throws Exception {
        try {
            return template.requestBodyAndHeaders(endpoint, body, headers, type);
        } catch (CamelExecutionException e) {
            throw rootCause(e);
        }
    }

    /** The route's own exception, unwrapped from Camel's (a split wraps what fails inside it). */
    public static Exception rootCause(Exception e) {
        Throwable cause = e;
        while ((cause instanceof CamelExecutionException || cause instanceof CamelExchangeException
                || cause instanceof RuntimeCamelException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof Exception exception ? exception : e;
    }

    public static String toolVersion() {
        String version = BackupApplication.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    @Override
    public void close() throws Exception {
        if (apiGuard != null) {
            apiGuard.stopping();
        }
        if (walStreamer != null) {
            walStreamer.close();
        }
        template.close();
        main.stop();
        pools.forEach(ExecutorService::shutdownNow);
        if (catalogChanges != null) {
            catalogChanges.close();
        }
        if (catalogPool != null) {
            catalogPool.close();
        }
    }

    /** The lasting conditions checked on a timer and before each backup (backup.alerts.*, backup.space.*). */
    private static Conditions conditions(Settings settings, Alerts alerts, Path repositoryPath, Path scratch,
                                         Replicator replicator) {
        Map<String, Path> folders = new LinkedHashMap<>();
        folders.put("repository", repositoryPath.toAbsolutePath());
        folders.put("scratch", scratch);
        Conditions.SpaceLimits limits = new Conditions.SpaceLimits(
                Double.parseDouble(settings.get("backup.alerts.min-free-percent", "10")),
                Long.parseLong(settings.get("backup.alerts.min-free-bytes", "0")),
                Double.parseDouble(settings.get("backup.space.refuse-below-percent", "1")));
        return new Conditions(alerts, folders, limits, replicator,
                settings.getInt("backup.alerts.replication-backlog", 3), Clock.systemUTC());
    }

    /** Where alerts go besides the log (routes/alerts.camel.yaml), from backup.alerts.* settings. */
    private static Alerts alerts(Settings settings) {
        Alerts.MailSettings mail = new Alerts.MailSettings(settings.get("backup.alerts.email.host", ""),
                settings.getInt("backup.alerts.email.port", 25),
                "true".equals(settings.get("backup.alerts.email.tls", "false")),
                settings.get("backup.alerts.email.user", ""), settings.get("backup.alerts.email.password", ""),
                settings.get("backup.alerts.email.from", ""), settings.get("backup.alerts.email.to", ""));
        return new Alerts(settings.get("backup.alerts.webhook-url", ""),
                settings.getInt("backup.alerts.webhook-attempts", 3),
                Duration.ofSeconds(settings.getInt("backup.alerts.webhook-backoff-seconds", 2)),
                Duration.ofMinutes(settings.getInt("backup.alerts.repeat-minutes", 60)), mail, Clock.systemUTC());
    }
}
