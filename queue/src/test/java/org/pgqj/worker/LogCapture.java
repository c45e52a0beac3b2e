package org.pgqj.worker;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The events one logger (and its children) logs while open, through a real logback appender: level, message,
 * MDC and throwable as the application's own appenders see them.
 */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures what {@code source}'s logger logs until closed. */
    static LogCapture of(Class<?> source) {
        return new LogCapture(source);
    }

    /** A copy of the events so far. */
    List<ILoggingEvent> events() {
        synchronized (appender) { // AppenderBase appends under the appender's monitor
            return List.copyOf(appender.list);
        }
    }

    /** The events so far that match. */
    List<ILoggingEvent> events(Predicate<ILoggingEvent> filter) {
        return events().stream().filter(filter).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
