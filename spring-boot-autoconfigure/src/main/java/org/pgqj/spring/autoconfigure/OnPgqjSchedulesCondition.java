package org.pgqj.spring.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when some bean declares a schedule (@PgqjSchedule method or ScheduledTask bean). */
final class OnPgqjSchedulesCondition extends SpringBootCondition implements ConfigurationCondition {

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        var beans = context.getBeanFactory();
        if (beans != null && PgqjBeans.declaresSchedules(beans)) {
            return ConditionOutcome.match("a bean declares a pgqj schedule");
        }
        return ConditionOutcome.noMatch("no @PgqjSchedule method or ScheduledTask bean");
    }
}
