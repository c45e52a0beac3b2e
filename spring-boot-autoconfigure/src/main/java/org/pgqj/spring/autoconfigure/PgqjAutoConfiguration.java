package org.pgqj.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.pgqj.admin.LogRetention;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.EnqueueInterceptor;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.schedule.InvalidCronExpressionException;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.SchedulerOptions;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.spring.TransactionalJobQueue;
import org.pgqj.worker.JobInterceptor;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerException;
import org.pgqj.worker.WorkerObserver;
import org.pgqj.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ObjectUtils;

/**
 * pgqueuer-jooq in a Spring Boot app: the queue's beans on the app's {@code DataSource} (or
 * {@code pgqj.datasource.url}), the queue schema migrated at startup apart from the app's own
 * migrations, and a worker and scheduler for the app's handler beans, started and stopped with the
 * context.
 *
 * <p>Beans: {@link QueueTables}, {@link PayloadCodec}, {@link JobQueue}, {@link TransactionalJobQueue},
 * {@link QueueAdmin}, {@link PgqjDataSources}, {@link PgqjSchemaInitializer}, {@link Worker} (unless
 * {@code pgqj.worker.enabled=false}) and {@link Scheduler} (when some bean declares a schedule, or
 * {@code pgqj.retention.older-than} turns on the retention schedule). Each
 * backs off when the app defines its own bean of the type.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.jooq.autoconfigure.JooqAutoConfiguration"},
        after = PgqjDataSourceAutoConfiguration.class)
@EnableConfigurationProperties(PgqjProperties.class)
public class PgqjAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PgqjAutoConfiguration.class);
    private static final String FLYWAY_INITIALIZER = "org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer";
    private static final String SCHEMA_BEAN = "pgqjSchemaInitializer";

    /**
     * Orders the queue's migration after the app's {@code spring.flyway} migration: on a fresh database the
     * app's Flyway refuses a schema that already holds tables (the queue's) but none of its own history.
     */
    @Bean
    static BeanFactoryPostProcessor pgqjSchemaAfterAppFlyway() {
        return beans -> {
            if (!beans.containsBeanDefinition(SCHEMA_BEAN)
                    || !ClassUtils.isPresent(FLYWAY_INITIALIZER, PgqjAutoConfiguration.class.getClassLoader())) {
                return;
            }
            Class<?> initializer = ClassUtils.resolveClassName(FLYWAY_INITIALIZER, PgqjAutoConfiguration.class.getClassLoader());
            String[] appFlyway = beans.getBeanNamesForType(initializer, true, false);
            if (appFlyway.length > 0) {
                BeanDefinition schema = beans.getBeanDefinition(SCHEMA_BEAN);
                List<String> dependsOn = new ArrayList<>(List.of(ObjectUtils.isEmpty(schema.getDependsOn())
                        ? new String[0] : schema.getDependsOn()));
                dependsOn.addAll(List.of(appFlyway));
                schema.setDependsOn(dependsOn.toArray(String[]::new));
            }
        };
    }

    /** Names of the install: pgqj.prefix and pgqj.schema.name. */
    @Bean
    @ConditionalOnMissingBean
    public QueueTables pgqjQueueTables(PgqjProperties properties) {
        return QueueTables.of(new PgqueuerNames(properties.getPrefix(), properties.getSchema().getName()));
    }

    /** pgqueuer's JSON payload codec (Jackson 2, the library's own mapper). */
    @Bean
    @ConditionalOnMissingBean
    public PayloadCodec pgqjPayloadCodec() {
        return PayloadCodec.defaults();
    }

    /** The app's DataSource for short statements, and the unpooled one for the worker's own connections. */
    @Bean
    @ConditionalOnMissingBean
    public PgqjDataSources pgqjDataSources(PgqjProperties properties, ObjectProvider<DataSource> dataSource) {
        PgqjDataSources sources = PgqjDataSources.resolve(properties, java.util.Optional.ofNullable(dataSource.getIfUnique()));
        LOG.debug("pgqj uses {}", sources.source());
        return sources;
    }

    /** Migrates (or verifies) the queue schema at startup. */
    @Bean(SCHEMA_BEAN)
    @ConditionalOnMissingBean
    public PgqjSchemaInitializer pgqjSchemaInitializer(PgqjDataSources dataSources, QueueTables tables,
                                                       PgqjProperties properties) {
        return new PgqjSchemaInitializer(dataSources, tables, properties.getSchema(), properties.getControls());
    }

    /** Enqueue with a DSLContext of the app's: {@code queue.enqueue(dsl, record)}, in the DSLContext's transaction. */
    @Bean
    @ConditionalOnMissingBean
    public JobQueue pgqjJobQueue(QueueTables tables, PayloadCodec codec, PgqjSchemaInitializer schema,
                                 ObjectProvider<EnqueueInterceptor> interceptors) {
        JobQueue queue = JobQueue.create(tables, codec);
        for (EnqueueInterceptor interceptor : interceptors.orderedStream().toList()) {
            queue = queue.withInterceptor(interceptor);
        }
        return queue;
    }

    /** Enqueue without jOOQ, in the Spring-managed transaction of the app's DataSource. */
    @Bean
    @ConditionalOnMissingBean
    public TransactionalJobQueue pgqjTransactionalJobQueue(JobQueue queue, PgqjDataSources dataSources) {
        return new TransactionalJobQueue(queue, dataSources.shared());
    }

    /** Queue sizes, requeue, cancel, statistics; cancel knows the workers' pgqj.worker.heartbeat-timeout. */
    @Bean
    @ConditionalOnMissingBean
    public QueueAdmin pgqjQueueAdmin(QueueTables tables, PgqjProperties properties) {
        return QueueAdmin.create(tables).heartbeatTimeout(properties.getWorker().getHeartbeatTimeout());
    }

    /**
     * The worker for every {@code @PgqjHandler} method and {@code JobHandler} bean, with pgqj.worker.* options
     * and per-entrypoint pgqj.entrypoints.* overrides. Built here, started by {@link PgqjLifecycle}.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "pgqj.worker", name = "enabled", matchIfMissing = true)
    public Worker pgqjWorker(PgqjDataSources dataSources, QueueTables tables, PayloadCodec codec,
                             PgqjProperties properties, PgqjSchemaInitializer schema,
                             ConfigurableListableBeanFactory beans, Environment environment,
                             ObjectProvider<JobInterceptor> interceptors, ObjectProvider<WorkerObserver> observers) {
        Map<String, PgqjBeans.Handler> handlers = PgqjBeans.handlers(beans, codec);
        if (handlers.isEmpty()) {
            throw new PgqjStartupException("pgqj.worker.enabled is true but the app has no handler: add a bean method "
                    + "annotated @PgqjHandler(\"entrypoint\") or a JobHandler bean, or set pgqj.worker.enabled=false "
                    + "for a service that only enqueues");
        }
        Set<String> unknown = PgqjBeans.unknown(properties.getEntrypoints().keySet(), handlers.keySet());
        if (!unknown.isEmpty()) {
            throw new PgqjStartupException("pgqj.entrypoints." + String.join(", pgqj.entrypoints.", unknown)
                    + " configure entrypoints that no handler serves (handlers: " + handlers.keySet()
                    + "); fix the name or remove the setting");
        }
        Duration phase = phaseTimeout(environment);
        warnIfNotInsidePhase("pgqj.worker.shutdown-timeout", properties.getWorker().getShutdownTimeout(), phase, "worker");
        WorkerOptions.Builder options;
        try {
            options = properties.getWorker().toOptions(phase).toBuilder();
        } catch (WorkerException e) {
            throw new PgqjStartupException("pgqj.worker: " + e.getMessage(), e);
        }
        // interceptor and observer beans (the metrics and tracing auto-configurations add theirs), in @Order
        interceptors.orderedStream().forEach(options::interceptor);
        observers.orderedStream().forEach(options::observer);
        Worker.Builder builder = Worker.builder(dataSources.dedicated(), tables).payloadCodec(codec)
                .options(options.build());
        handlers.values().forEach(h -> {
            try {
                builder.entrypoint(h.entrypoint(), properties.entrypointOptions(h.entrypoint()), h.handler());
            } catch (RuntimeException e) {
                throw new PgqjStartupException(h.source() + ": " + e.getMessage(), e);
            }
        });
        LOG.info("pgqj worker for entrypoints {} ({})", handlers.keySet(),
                handlers.values().stream().map(PgqjBeans.Handler::source).toList());
        Worker worker = builder.build();
        for (String paused : properties.getWorker().getPausedEntrypoints()) {
            try {
                worker.pause(paused); // before the start: its first claim leaves them out
            } catch (WorkerException e) {
                throw new PgqjStartupException("pgqj.worker.paused-entrypoints: " + e.getMessage(), e);
            }
        }
        return worker;
    }

    /** Starts and stops the worker with the context. */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjWorkerLifecycle")
    public PgqjLifecycle pgqjWorkerLifecycle(ObjectProvider<Worker> worker) {
        return new PgqjLifecycle(java.util.Optional.ofNullable(worker.getIfAvailable())
                .map(w -> new PgqjLifecycle.Managed("worker", w::start, w::close)));
    }

    /**
     * The scheduler for every {@code @PgqjSchedule} method and {@code ScheduledTask} bean, and the retention
     * schedule when pgqj.retention.older-than is set.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnPgqjSchedulesCondition.class)
    @ConditionalOnProperty(prefix = "pgqj.scheduler", name = "enabled", matchIfMissing = true)
    public Scheduler pgqjScheduler(PgqjDataSources dataSources, QueueTables tables, PgqjProperties properties,
                                   PgqjSchemaInitializer schema, ConfigurableListableBeanFactory beans,
                                   Environment environment) {
        Scheduler.Builder builder = Scheduler.builder(dataSources.shared(), tables)
                .options(SchedulerOptions.builder()
                        .maxPollInterval(properties.getScheduler().getMaxPollInterval())
                        .shutdownTimeout(schedulerShutdownTimeout(properties.getScheduler().getShutdownTimeout(),
                                phaseTimeout(environment)))
                        .build());
        for (PgqjBeans.Schedule s : PgqjBeans.schedules(beans)) {
            try {
                builder.schedule(s.cron(), s.entrypoint(), s.task());
            } catch (RuntimeException e) {
                throw new PgqjStartupException(s.source() + ": " + e.getMessage(), e);
            }
        }
        PgqjProperties.Retention retention = properties.getRetention();
        if (retention.getOlderThan() != null) {
            try {
                builder.retention(retention.getCron(), retention.getOlderThan(), retention.isStatistics());
            } catch (InvalidCronExpressionException e) {
                throw new PgqjStartupException("pgqj.retention.cron: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new PgqjStartupException(OnPgqjSchedulesCondition.RETENTION_PROPERTY + "=" + retention.getOlderThan()
                        + ": " + e.getMessage(), e);
            }
            LOG.info("pgqj retention schedule {} on '{}': deletes log{} rows older than {}", LogRetention.ENTRYPOINT,
                    retention.getCron(), retention.isStatistics() ? " and statistics" : "", retention.getOlderThan());
        }
        return builder.build();
    }

    /** Starts and stops the scheduler with the context. */
    @Bean
    @ConditionalOnMissingBean(name = "pgqjSchedulerLifecycle")
    public PgqjLifecycle pgqjSchedulerLifecycle(ObjectProvider<Scheduler> scheduler) {
        return new PgqjLifecycle(java.util.Optional.ofNullable(scheduler.getIfAvailable())
                .map(s -> new PgqjLifecycle.Managed("scheduler", s::start, s::close)));
    }

    private static Duration schedulerShutdownTimeout(Duration configured, Duration phase) {
        warnIfNotInsidePhase("pgqj.scheduler.shutdown-timeout", configured, phase, "scheduler");
        return configured != null ? configured : PgqjProperties.Worker.defaultShutdownTimeout(phase);
    }

    /** An explicit shutdown timeout is kept as given; one the phase cannot wait for gets a WARN saying what happens. */
    private static void warnIfNotInsidePhase(String property, Duration configured, Duration phase, String what) {
        if (configured != null && configured.compareTo(phase) >= 0) {
            LOG.warn("{}={} is not shorter than spring.lifecycle.timeout-per-shutdown-phase={}: at shutdown Spring stops "
                            + "waiting for the {} first and reports its lifecycle bean as timed out while jobs may still "
                            + "run; the context then closes the data source under them. Set {} below the phase timeout "
                            + "(unset: the phase minus 5 s) or raise the phase timeout.", property, configured, phase,
                    what, property);
        }
    }

    private static Duration phaseTimeout(Environment environment) {
        return Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
    }
}
