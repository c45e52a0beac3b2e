package org.pgqj.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when some bean declares a schedule (@PgqjSchedule method or ScheduledTask bean) or
 * pgqj.retention.older-than turns on the retention schedule.
 */
final class OnPgqjSchedulesCondition extends SpringBootCondition implements ConfigurationCondition {

    static final String RETENTION_PROPERTY = "pgqj.retention.older-than";

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String retention = context.getEnvironment().getProperty(RETENTION_PROPERTY);
        if (retention != null && !retention.isBlank()) {
            return ConditionOutcome.match(RETENTION_PROPERTY + " turns on the retention schedule");
        }
        var beans = context.getBeanFactory();
        if (beans != null && PgqjBeans.declaresSchedules(beans)) {
            return ConditionOutcome.match("a bean declares a pgqj schedule");
        }
        return ConditionOutcome.noMatch("no @PgqjSchedule method, ScheduledTask bean or " + RETENTION_PROPERTY);
    }
}
