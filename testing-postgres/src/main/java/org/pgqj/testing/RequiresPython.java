package org.pgqj.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension for test classes that run Python processes: before the class, it prepares the
 * {@link PythonEnv} (creating the virtual environment on first use) or skips the whole class with one clear
 * line when no usable python3 is installed.
 *
 * <pre>{@code
 * @ExtendWith({RequiresPython.class, PostgresExtension.class})
 * class CrossLanguageTest { ... PythonEnv.require().script(db.postgresUrl(), script) ... }
 * }</pre>
 */
public final class RequiresPython implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        PythonEnv.require();
    }
}
