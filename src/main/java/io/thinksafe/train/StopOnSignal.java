package io.thinksafe.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a training loop so that Ctrl-C or SIGTERM asks it to stop (it then checkpoints after the
 * current step and returns) and the JVM waits for that before exiting, instead of dying mid-step.
 */
final class StopOnSignal {
    private StopOnSignal() {}

    static <T> T run(Runnable requestStop, Supplier<T> body) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop.run();
            try {
                finished.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "train-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.get();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits on the latch released above
            }
        }
    }
}
