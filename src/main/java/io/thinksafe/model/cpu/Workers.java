package io.thinksafe.model.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads (one per core, the caller included) for the Java decode path. Decoding
 * calls it a few hundred times per token, microseconds apart, so workers spin briefly between jobs
 * instead of parking at once: handing work to a parked thread costs tens of microseconds, about
 * what a whole small matrix product takes.
 */
public final class Workers {
    public static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final long SPIN_NANOS = 20_000;

    private record Job(int tasks, IntConsumer body, AtomicInteger next, AtomicInteger left, Thread owner,
                       AtomicReference<Throwable> error) {}

    private static final Thread[] TEAM = new Thread[THREADS - 1];
    private static volatile Job job;
    private static volatile long generation;

    static {
        for (int i = 0; i < TEAM.length; i++) {
            TEAM[i] = new Thread(Workers::workerLoop, "thinksafe-decode-" + (i + 1));
            TEAM[i].setDaemon(true);
            TEAM[i].start();
        }
    }

    private Workers() {}

    /** Runs {@code body(0) … body(tasks-1)} across the team and returns when all are done. */
    public static synchronized void run(int tasks, IntConsumer body) {
        if (tasks <= 1 || TEAM.length == 0) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        Job j = new Job(tasks, body, new AtomicInteger(), new AtomicInteger(tasks), Thread.currentThread(),
                new AtomicReference<>());
        job = j;
        generation++;
        for (Thread t : TEAM) {
            LockSupport.unpark(t);
        }
        drain(j);
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (j.left.get() > 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
        Throwable e = j.error.get();
        if (e instanceof RuntimeException re) {
            throw re;
        } else if (e instanceof Error err) {
            throw err;
        } else if (e != null) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(Job j) {
        int t;
        while ((t = j.next.getAndIncrement()) < j.tasks) {
            try {
                j.body.accept(t);
            } catch (Throwable e) {
                j.error.compareAndSet(null, e);
            } finally {
                if (j.left.decrementAndGet() == 0) {
                    LockSupport.unpark(j.owner);
                }
            }
        }
    }

    private static void workerLoop() {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park();
                }
            }
            seen = generation;
            Job j = job;
            if (j != null) {
                drain(j);
            }
        }
    }
}
