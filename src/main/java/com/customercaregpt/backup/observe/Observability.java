package com.customercaregpt.backup.observe;

import com.customercaregpt.backup.app.RoutesStarting;
import com.customercaregpt.backup.component.Components;
import com.customercaregpt.backup.config.Settings;
import com.customercaregpt.backup.repository.Repository;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpPluginRegistry;
import org.apache.camel.component.platform.http.plugin.JolokiaPlatformHttpPlugin;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.support.service.ServiceHelper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * What `serve` shows of itself on the management server: Camel's health checks, Prometheus
 * metrics (Camel's routes plus ours) and Jolokia for Hawtio. A command shows nothing (no JMX either).
 */
public final class Observability {

    /** camel-micrometer looks the registry up under this name and serves it. */
    static final String REGISTRY = "metricsRegistry";

    private Observability() {
    }

    /**
     * Call before Camel starts, with the properties Camel will be given. {@code remote}: the S3
     * repository, or null when S3 is off.
     */
    public static void install(Main main, Settings settings, Properties camel, boolean service,
                               Repository local, Path localRoot, Supplier<Repository> remote) {
        if (!service) {
            camel.setProperty("camel.main.jmxEnabled", "false");
            return;
        }
        ManagementServer server = ManagementServer.configure(settings, camel);
        if (server == null) {
            camel.setProperty("camel.main.jmxEnabled", "false");
            return;
        }
        main.bind(ApiServerEngine.NAME, new ApiServerEngine(settings.getInt("camel.server.port", 8080)));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        main.bind(REGISTRY, registry);
        RepositoryGauges gauges = new RepositoryGauges(local, localRoot, remote,
                Duration.ofSeconds(settings.getInt("backup.metrics.refresh-seconds", 30)));
        gauges.register(registry, Components.namesIn(settings));
        RunMetrics runs = new RunMetrics(registry, gauges);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configured) {
                configured.getCamelContext().addRoutePolicyFactory(runs);
                RoutesStarting.then(configured.getCamelContext(), started -> server.guard(started));
            }

            @Override
            public void afterConfigure(BaseMainSupport configured) {
                if (server.servesJolokia()) {
                    startJolokiaEarly(configured.getCamelContext());
                }
            }
        });
    }

    /**
     * Jolokia takes a second or two to start. Camel would start it after the REST API's server listens
     * and before the API's door is on (ApiGuard), when the API answers 404; started here, before
     * either server, the management server finds it ready.
     */
    private static void startJolokiaEarly(CamelContext context) {
        PlatformHttpPluginRegistry plugins = new PlatformHttpPluginRegistry();
        plugins.setCamelContext(context);
        context.getCamelContextExtension().addContextPlugin(
                org.apache.camel.component.platform.http.spi.PlatformHttpPluginRegistry.class, plugins);
        ServiceHelper.startService(plugins);
        plugins.resolvePluginById(JolokiaPlatformHttpPlugin.NAME, JolokiaPlatformHttpPlugin.class);
    }
}
