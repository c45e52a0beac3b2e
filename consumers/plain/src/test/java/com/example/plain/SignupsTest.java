package com.example.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** On a database of its own from pgqj-testing: committed sign-ups get their mail, a failed one gets none. */
@ExtendWith(PostgresExtension.class)
class SignupsTest {

    @Test
    void committedSignUpsAreWelcomedAndAFailedOneIsNot(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            System.out.printf("CONSUMER plain, Java %s, PostgreSQL %s, jOOQ %s%n", Runtime.version(), rs.getString(1),
                    org.jooq.Constants.FULL_VERSION);
        }
        Signups app = new Signups(db.dataSource());

        app.signUp("ada@example.com", false);
        app.signUp("grace@example.com", false);
        assertThrows(IllegalStateException.class, () -> app.signUp("eve@example.com", true));
        app.sendWelcomes();

        assertEquals(Set.of("ada@example.com", "grace@example.com"), app.welcomed);
    }
}
