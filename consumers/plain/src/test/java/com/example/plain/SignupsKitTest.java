package com.example.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.example.plain.Signups.SendWelcome;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pgqj.testing.queue.EnqueuedJobs;
import org.pgqj.testing.queue.JobMatcher;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.WorkerOptions;

/** The test kit of pgqj-testing as an app uses it: what a sign-up enqueued, then its job run with the real worker. */
@QueueTest
class SignupsKitTest {

    @Test
    void aSignUpEnqueuesItsWelcomeAndTheWorkerSendsIt(TestQueue queue) {
        Signups app = new Signups(queue.dataSource());
        queue.dsl().transaction(trx -> {
            app.signUp(trx.dsl(), "ada@example.com");
            EnqueuedJobs.in(trx.dsl()).requireOne(SendWelcome.class, mail -> mail.email().equals("ada@example.com"));
            queue.enqueued().requireEmpty(); // not committed yet: nobody else sees it
        });
        queue.enqueued().requirePayload(new SendWelcome("ada@example.com"));

        queue.drain(app.welcomeWorker(WorkerOptions.defaults())).requireAllSuccessful();

        assertEquals(Set.of("ada@example.com"), app.welcomed);
        queue.enqueued().requireNone(JobMatcher.of(SendWelcome.class));
        System.out.println("CONSUMER plain: test kit (@QueueTest, enqueue assertions, drain) used from outside");
    }
}
