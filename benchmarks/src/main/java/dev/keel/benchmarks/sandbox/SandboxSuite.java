package dev.keel.benchmarks.sandbox;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxPool;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Sandbox measurements on this host: cold start (start to first command reply), exec round trip of
 * {@code true} (median; the peer is the same command as a plain host process through
 * {@link LocalCommandRunner}), pool acquire, restore from a saved booted VM (peer: a cold boot), destroy,
 * qemu RSS. Args: [boots] [execs].
 */
public final class SandboxSuite {
    private SandboxSuite() {}

    public static void main(String[] args) throws Exception {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int execs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path workspace = Files.createTempDirectory("keel-bench-ws");
        // cold starts: snapshots off, so every sandbox really boots its kernel
        try (SandboxProvider provider = Sandboxes.microVm(MicroVmConfig.defaults().withSnapshots(false))) {
            // warm-up: builds/loads the cached initramfs and chooses the accelerator, not part of the cold start
            provider.create(SandboxSpec.builder("warmup").build()).close();

            List<Double> cold = new ArrayList<>();
            List<Double> destroy = new ArrayList<>();
            double rss = 0;
            boolean accelerated = false;
            Sandbox kept = null;
            for (int i = 0; i < boots; i++) {
                long t0 = System.nanoTime();
                Sandbox box = provider.create(SandboxSpec.builder("cold-" + i).workspace(workspace).build());
                box.exec("true");
                cold.add(ms(t0));
                accelerated = box.info().accelerated();
                if (i == boots - 1) {
                    kept = box;
                } else {
                    long t1 = System.nanoTime();
                    box.close();
                    destroy.add(ms(t1));
                }
            }
            List<Double> rtt = rtt(kept, execs);
            List<Double> host = rtt(LocalCommandRunner.create(), execs);
            rss = rssMib(kept.info().pid());
            long t1 = System.nanoTime();
            kept.close();
            destroy.add(ms(t1));

            double execMedian = median(rtt);
            double hostMedian = median(host);
            System.out.printf(Locale.ROOT, "keel-bench sandbox microvm cold_start_ms=%.0f exec_rtt_ms=%.2f destroy_ms=%.1f"
                            + " rss_mib=%.0f accelerated=%s peer=host-process peer_exec_rtt_ms=%.2f speedup=%.2f"
                            + " target_exec_rtt_ms=3 target_cold_start_ms=2400%n",
                    median(cold), execMedian, median(destroy), rss, accelerated, hostMedian, hostMedian / execMedian);

            try (SandboxPool pool = SandboxPool.create(provider, SandboxSpec.builder("pool").workspace(workspace).build(), 1)) {
                List<Double> acquire = new ArrayList<>();
                List<Double> firstExec = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (pool.ready() == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    long t0 = System.nanoTime();
                    Sandbox box = pool.acquire();
                    acquire.add(ms(t0));
                    long t2 = System.nanoTime();
                    box.exec("true");
                    firstExec.add(ms(t2));
                    box.close();
                }
                System.out.printf(Locale.ROOT, "keel-bench sandbox pool pool_acquire_ms=%.2f first_exec_ms=%.1f accelerated=%s"
                                + " peer=cold-start peer_ms=%.0f speedup=%.1f target_pool_acquire_ms=50%n",
                        median(acquire), median(firstExec), accelerated, median(cold), median(cold) / median(acquire));
            }
            restore(workspace, median(cold), accelerated, boots);
        } finally {
            Files.walk(workspace).sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Sandboxes restored from the saved VM of their shape (the first create of the shape saves it). */
    private static void restore(Path workspace, double coldMs, boolean accelerated, int n) {
        try (SandboxProvider provider = Sandboxes.microVm()) {
            provider.create(SandboxSpec.builder("saver").workspace(workspace).build()).close();
            List<Double> restore = new ArrayList<>();
            int restored = 0;
            for (int i = 0; i < Math.max(3, n); i++) {
                long t0 = System.nanoTime();
                Sandbox box = provider.create(SandboxSpec.builder("restored-" + i).workspace(workspace).build());
                box.exec("true");
                restore.add(ms(t0));
                restored += box.info().restored() ? 1 : 0;
                box.close();
            }
            System.out.printf(Locale.ROOT, "keel-bench sandbox restore restore_ms=%.0f restored=%d/%d accelerated=%s"
                            + " peer=cold-start peer_ms=%.0f speedup=%.2f%n",
                    median(restore), restored, restore.size(), accelerated, coldMs, coldMs / median(restore));
        }
    }

    private static List<Double> rtt(CommandRunner runner, int n) {
        Command cmd = Command.of("true");
        for (int i = 0; i < 10; i++) {
            runner.run(cmd);
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            if (!runner.run(cmd).ok()) {
                throw new IllegalStateException("true failed in " + runner.describe());
            }
            out.add(ms(t0));
        }
        return out;
    }

    private static double rssMib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
