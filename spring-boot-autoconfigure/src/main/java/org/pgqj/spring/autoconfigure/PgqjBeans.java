package org.pgqj.spring.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pgqj.core.Job;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadException;
import org.pgqj.schedule.ScheduleContext;
import org.pgqj.schedule.ScheduledTask;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.spring.PgqjSchedule;
import org.pgqj.worker.JobContext;
import org.pgqj.worker.JobHandler;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the app's handlers and schedules among its beans: {@code @PgqjHandler} / {@code @PgqjSchedule}
 * methods, and {@code JobHandler} / {@code ScheduledTask} beans carrying those annotations. Every
 * mistake fails startup with the bean and method named.
 */
final class PgqjBeans {

    /** One entrypoint's handler and where it came from. */
    record Handler(String entrypoint, String source, JobHandler handler) {
    }

    /** One schedule and where it came from. */
    record Schedule(String entrypoint, String cron, String source, ScheduledTask task) {
    }

    private PgqjBeans() {
    }

    /** The handlers, by entrypoint; fails on a duplicate entrypoint or a method it cannot call. */
    static Map<String, Handler> handlers(ConfigurableListableBeanFactory beans, PayloadCodec codec) {
        Map<String, Handler> byEntrypoint = new LinkedHashMap<>();
        for (String name : beans.getBeanNamesForType(JobHandler.class, true, false)) {
            PgqjHandler annotation = beans.findAnnotationOnBean(name, PgqjHandler.class);
            if (annotation == null) {
                throw new PgqjStartupException("JobHandler bean '" + name + "' names no entrypoint: annotate its class "
                        + "or @Bean method with @PgqjHandler(\"entrypoint_name\")");
            }
            add(byEntrypoint, new Handler(annotation.value(), "JobHandler bean '" + name + "'",
                    beans.getBean(name, JobHandler.class)));
        }
        for (String name : beans.getBeanNamesForType(Object.class, true, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null || JobHandler.class.isAssignableFrom(type)) {
                continue;
            }
            Map<Method, PgqjHandler> methods = annotated(type, PgqjHandler.class);
            if (methods.isEmpty()) {
                continue;
            }
            Object bean = beans.getBean(name);
            methods.forEach((method, annotation) -> add(byEntrypoint, methodHandler(name, bean, method,
                    annotation.value(), codec)));
        }
        return byEntrypoint;
    }

    /** The schedules; fails on a method it cannot call or an unannotated ScheduledTask bean. */
    static List<Schedule> schedules(ConfigurableListableBeanFactory beans) {
        List<Schedule> schedules = new ArrayList<>();
        for (String name : beans.getBeanNamesForType(ScheduledTask.class, true, false)) {
            PgqjSchedule annotation = beans.findAnnotationOnBean(name, PgqjSchedule.class);
            if (annotation == null) {
                throw new PgqjStartupException("ScheduledTask bean '" + name + "' has no schedule: annotate its class "
                        + "or @Bean method with @PgqjSchedule(entrypoint = \"...\", cron = \"...\")");
            }
            schedules.add(new Schedule(annotation.entrypoint(), annotation.cron(), "ScheduledTask bean '" + name + "'",
                    beans.getBean(name, ScheduledTask.class)));
        }
        for (String name : beans.getBeanNamesForType(Object.class, true, false)) {
            Class<?> type = beans.getType(name, false);
            if (type == null || ScheduledTask.class.isAssignableFrom(type)) {
                continue;
            }
            Map<Method, PgqjSchedule> methods = annotated(type, PgqjSchedule.class);
            if (methods.isEmpty()) {
                continue;
            }
            Object bean = beans.getBean(name);
            methods.forEach((method, annotation) -> schedules.add(scheduleMethod(name, bean, method, annotation)));
        }
        return schedules;
    }

    /** Whether any bean definition declares a schedule (read from types only; nothing is created). */
    static boolean declaresSchedules(ConfigurableListableBeanFactory beans) {
        if (beans.getBeanNamesForType(ScheduledTask.class, true, false).length > 0) {
            return true;
        }
        for (String name : beans.getBeanNamesForType(Object.class, true, false)) {
            Class<?> type = beans.getType(name, false);
            if (type != null && !annotated(type, PgqjSchedule.class).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static <A extends java.lang.annotation.Annotation> Map<Method, A> annotated(Class<?> type, Class<A> annotation) {
        Class<?> user = ClassUtils.getUserClass(type);
        if (user.getName().startsWith("org.springframework.")) {
            return Map.of(); // Spring's own infrastructure carries none of our annotations
        }
        return MethodIntrospector.selectMethods(user,
                // on a @Bean method the annotation describes the bean it makes (a JobHandler, a ScheduledTask)
                (MethodIntrospector.MetadataLookup<A>) m -> AnnotatedElementUtils.hasAnnotation(m, Bean.class)
                        ? null : AnnotatedElementUtils.findMergedAnnotation(m, annotation));
    }

    private static void add(Map<String, Handler> byEntrypoint, Handler handler) {
        if (handler.entrypoint() == null || handler.entrypoint().isBlank()) {
            throw new PgqjStartupException(handler.source() + ": @PgqjHandler needs a non-blank entrypoint name");
        }
        Handler before = byEntrypoint.putIfAbsent(handler.entrypoint(), handler);
        if (before != null) {
            throw new PgqjStartupException("Entrypoint '" + handler.entrypoint() + "' has two handlers: "
                    + before.source() + " and " + handler.source() + "; register each entrypoint once");
        }
    }

    private static Handler methodHandler(String beanName, Object bean, Method declared, String entrypoint,
                                         PayloadCodec codec) {
        String source = "bean '" + beanName + "' method " + describe(declared);
        Method method = AopUtils.selectInvocableMethod(declared, bean.getClass());
        ReflectionUtils.makeAccessible(method);
        Class<?>[] parameters = method.getParameterTypes();
        Class<?> payloadType = null;
        for (Class<?> p : parameters) {
            if (p == JobContext.class || p == Job.class) {
                continue;
            }
            if (payloadType != null) {
                throw new PgqjStartupException(source + " takes two payload parameters (" + payloadType.getSimpleName()
                        + ", " + p.getSimpleName() + "); a handler takes one payload type, and optionally Job and JobContext");
            }
            if (p.isPrimitive() || p == String.class) {
                throw new PgqjStartupException(source + " takes a " + p.getName() + " payload; take a record that "
                        + "Jackson reads from the job's JSON, or Job for the raw bytes");
            }
            payloadType = p;
        }
        if (payloadType != null && payloadType.isAnnotationPresent(org.pgqj.payload.Entrypoint.class)) {
            String declaredName = PayloadCodec.entrypointOf(payloadType);
            if (!declaredName.equals(entrypoint)) {
                throw new PgqjStartupException(source + " is @PgqjHandler(\"" + entrypoint + "\") but its payload type "
                        + payloadType.getName() + " is @Entrypoint(\"" + declaredName + "\"); make the two names agree");
            }
        }
        Class<?> decodeAs = payloadType;
        JobHandler handler = (job, context) -> {
            Object[] args = new Object[parameters.length];
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i] == JobContext.class) {
                    args[i] = context;
                } else if (parameters[i] == Job.class) {
                    args[i] = job;
                } else {
                    args[i] = decode(codec, job, decodeAs);
                }
            }
            invoke(method, bean, args);
        };
        return new Handler(entrypoint, source, handler);
    }

    private static Object decode(PayloadCodec codec, Job job, Class<?> type) {
        try {
            return codec.decode(job.payload(), type);
        } catch (PayloadException e) {
            throw new PayloadException("Job " + job.id() + " (" + job.entrypoint() + "): " + e.getMessage(), e);
        }
    }

    private static Schedule scheduleMethod(String beanName, Object bean, Method declared, PgqjSchedule annotation) {
        String source = "bean '" + beanName + "' method " + describe(declared);
        Method method = AopUtils.selectInvocableMethod(declared, bean.getClass());
        ReflectionUtils.makeAccessible(method);
        Class<?>[] parameters = method.getParameterTypes();
        boolean takesContext = parameters.length == 1 && parameters[0] == ScheduleContext.class;
        if (parameters.length > 1 || (parameters.length == 1 && !takesContext)) {
            throw new PgqjStartupException(source + ": a @PgqjSchedule method takes no parameter or one ScheduleContext, "
                    + "got " + Arrays.toString(parameters));
        }
        ScheduledTask task = context -> invoke(method, bean, takesContext ? new Object[] {context} : new Object[0]);
        return new Schedule(annotation.entrypoint(), annotation.cron(), source, task);
    }

    private static void invoke(Method method, Object bean, Object[] args) throws Exception {
        try {
            method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            // the handler's own exception is the job's outcome (traceback, retry), not the reflective wrapper
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static String describe(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName() + "("
                + String.join(", ", Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
    }

    /** Names in {@code configured} that are not in {@code known}, sorted. */
    static Set<String> unknown(Set<String> configured, Set<String> known) {
        Set<String> unknown = new TreeSet<>(configured);
        unknown.removeAll(known);
        return unknown;
    }
}
