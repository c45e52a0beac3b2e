package org.pgqj.admin;

/** Which implementation a {@link LiveWorker} runs, as far as its database sessions tell. */
public enum WorkerLanguage {
    /** A pgqueuer-jooq worker: its LISTEN connection is named {@code pgqj-listener-<worker id>}. */
    JAVA,
    /** A Python pgqueuer worker: an unnamed session whose last statement is one of pgqueuer's worker statements. */
    PYTHON
}
