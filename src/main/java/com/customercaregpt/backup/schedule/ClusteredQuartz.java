package com.customercaregpt.backup.schedule;

import org.apache.camel.component.quartz.QuartzComponent;
import org.postgresql.ds.PGSimpleDataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The camel `quartz` component of `serve`: a clustered JDBC job store (JobStoreTX, PostgreSQL
 * delegate, tables qrtz_* of catalog migration V003) in the catalog database, so that every
 * instance on one catalog shares the triggers and each fire runs on exactly one of them; and a
 * stateful job per schedule, so a schedule never runs twice at once, across the cluster too.
 * The command line never builds it: only `serve` starts a scheduler.
 */
public final class ClusteredQuartz {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredQuartz.class);

    /** Shared by every instance of a cluster (Quartz tells instances apart by instance id). */
    public static final String SCHEDULER_NAME = "backup-manager";
    /** The Quartz trigger group of the schedules: quartz:schedules/ID. */
    public static final String GROUP = "schedules";
    private static final String DATA_SOURCE = "backupCatalog";

    private ClusteredQuartz() {
    }

    /**
     * The component; {@code schedules} are the schedules file's, so that triggers of schedules no
     * longer in it are removed, and a changed time zone is applied, before the scheduler starts.
     */
    public static QuartzComponent component(PGSimpleDataSource catalog, List<Schedule> schedules, ZoneId timeZone)
            throws SchedulerException {
        // The catalog's data source goes to Quartz by name: its password is in no properties.
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new CatalogConnections(catalog));
        QuartzComponent quartz = new QuartzComponent();
        quartz.setSchedulerFactory(new StdSchedulerFactory(properties()));
        quartz.setPrefixInstanceName(false);
        Map<String, Schedule> byId = schedules.stream().collect(Collectors.toMap(Schedule::id, Function.identity()));
        quartz.addScheduleInitTask(scheduler -> reconcile(scheduler, byId, timeZone));
        return quartz;
    }

    static Properties properties() {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "4");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
        p.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        // a fire later than this is a misfire: fired once now, then judged against the grace (ScheduleRuns)
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.scheduler.jmx.export", "true"); // Hawtio shows the triggers (Jolokia, observe/)
        return p;
    }

    private static void reconcile(Scheduler scheduler, Map<String, Schedule> schedules, ZoneId timeZone)
            throws SchedulerException {
        TimeZone zone = TimeZone.getTimeZone(timeZone);
        for (TriggerKey key : scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(GROUP))) {
            Schedule schedule = schedules.get(key.getName());
            if (schedule == null) {
                LOG.info("Schedule {} is no longer in the schedules file: its trigger is removed", key.getName());
                scheduler.unscheduleJob(key);
                scheduler.deleteJob(JobKey.jobKey(key.getName(), GROUP));
                continue;
            }
            Trigger trigger = scheduler.getTrigger(key);
            // camel-quartz reschedules a kept trigger when its cron changes, not when the time zone does
            if (trigger instanceof CronTrigger cron && !cron.getTimeZone().hasSameRules(zone)) {
                LOG.info("Schedule {}: time zone now {}", key.getName(), timeZone);
                scheduler.rescheduleJob(key, cron.getTriggerBuilder().startNow().withSchedule(CronScheduleBuilder
                        .cronSchedule(cron.getCronExpression()).inTimeZone(zone)
                        .withMisfireHandlingInstructionFireAndProceed()).build());
            }
        }
    }

    /** Quartz's connections: straight from the catalog's data source (few, short transactions). */
    private record CatalogConnections(PGSimpleDataSource catalog) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return catalog.getConnection();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public void initialize() {
        }
    }
}
