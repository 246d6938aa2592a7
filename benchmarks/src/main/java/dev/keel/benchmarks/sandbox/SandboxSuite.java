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
 * Sandbox measurements on this host, all in one run:
 * <ul>
 *   <li>{@code microvm}: cold start (start to first command reply, kernel boot) and restore from a saved booted VM
 *       (same shape; target ≤ 150 ms for the busybox root), destroy, qemu RSS; speedup = cold start / restore.</li>
 *   <li>{@code exec}: round trip of {@code true} ({@code exec_rtt_ms}, median) next to what spawning a process costs
 *       inside this very guest ({@code guest_spawn_ms}: a guest shell loop of {@code /bin/true} minus the same loop
 *       of the {@code :} builtin, per iteration). Measured in interleaved rounds, so that load from other processes on
 *       the host hits both alike; {@code overhead_ms}, Keel's own path (target ≤ 1 ms), is the median over rounds
 *       of each round's exec_rtt − guest_spawn. Peer: the same command as a host process
 *       ({@link LocalCommandRunner}); speedup = peer / Keel.</li>
 *   <li>{@code pool}: acquiring a pooled sandbox; speedup = cold start / acquire.</li>
 * </ul>
 * Args: [boots] [exec rounds] [execs per round].
 */
public final class SandboxSuite {
    private SandboxSuite() {}

    public static void main(String[] args) throws Exception {
        int boots = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path workspace = Files.createTempDirectory("keel-bench-ws");
        try {
            // cold starts: snapshots off, so every sandbox really boots its kernel
            List<Double> cold = new ArrayList<>();
            List<Double> destroy = new ArrayList<>();
            boolean accelerated;
            double rss;
            try (SandboxProvider provider = Sandboxes.microVm(MicroVmConfig.defaults().withSnapshots(false))) {
                // warm-up: builds/loads the cached initramfs and chooses the accelerator, not part of the cold start
                provider.create(SandboxSpec.builder("warmup").build()).close();
                for (int i = 0; i < boots; i++) {
                    long t0 = System.nanoTime();
                    Sandbox box = provider.create(SandboxSpec.builder("cold-" + i).workspace(workspace).build());
                    box.exec("true");
                    cold.add(ms(t0));
                    long t1 = System.nanoTime();
                    box.close();
                    destroy.add(ms(t1));
                }
            }
            try (SandboxProvider provider = Sandboxes.microVm()) {
                // the first create of a shape boots and saves it; the next ones restore
                provider.create(SandboxSpec.builder("saver").workspace(workspace).build()).close();
                List<Double> restore = new ArrayList<>();
                int restored = 0;
                for (int i = 0; i < Math.max(3, boots); i++) {
                    long t0 = System.nanoTime();
                    Sandbox box = provider.create(SandboxSpec.builder("restored-" + i).workspace(workspace).build());
                    box.exec("true");
                    restore.add(ms(t0));
                    restored += box.info().restored() ? 1 : 0;
                    box.close();
                }
                try (Sandbox box = provider.create(SandboxSpec.builder("exec").workspace(workspace).build())) {
                    accelerated = box.info().accelerated();
                    rss = rssMib(box.info().pid());
                    System.out.printf(Locale.ROOT, "keel-bench sandbox microvm cold_start_ms=%.0f restore_ms=%.0f"
                                    + " restored=%d/%d target_restore_ms=150 destroy_ms=%.1f rss_mib=%.0f accelerated=%s"
                                    + " peer=cold-start speedup=%.1f%n",
                            median(cold), median(restore), restored, restore.size(), median(destroy), rss, accelerated,
                            median(cold) / median(restore));
                    exec(box, rounds, perRound, accelerated);
                }
                pool(provider, workspace, median(cold), accelerated);
            }
        } finally {
            try (var files = Files.walk(workspace)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void exec(Sandbox box, int rounds, int perRound, boolean accelerated) {
        Command trueCmd = Command.of("true");
        int loopLength = 4 * perRound;
        String loop = "i=0; while [ $i -lt " + loopLength + " ]; do %s; i=$((i+1)); done";
        Command spawnLoop = Command.shell(String.format(loop, "/bin/true"));
        Command emptyLoop = Command.shell(String.format(loop, ":"));
        CommandRunner host = LocalCommandRunner.create();
        for (int i = 0; i < 300; i++) { // warm-up: the JIT compiles Keel's path (and the host runner's), guest caches fill
            box.run(trueCmd);
            host.run(trueCmd);
        }
        box.run(spawnLoop);
        List<Double> rtt = new ArrayList<>();
        List<Double> spawn = new ArrayList<>();
        List<Double> overhead = new ArrayList<>();
        List<Double> peer = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<Double> round = new ArrayList<>();
            for (int i = 0; i < perRound; i++) {
                round.add(timed(box, trueCmd));
                peer.add(timed(host, trueCmd));
            }
            // the two loops differ only in spawning /bin/true: their difference is the guest's own spawn cost
            double withSpawn = timed(box, spawnLoop);
            double without = timed(box, emptyLoop);
            double spawnMs = (withSpawn - without) / loopLength;
            rtt.addAll(round);
            spawn.add(spawnMs);
            // paired within the round, so that load on the host that comes and goes hits both alike
            overhead.add(median(round) - spawnMs);
        }
        double execMs = median(rtt);
        double peerMs = median(peer);
        System.out.printf(Locale.ROOT, "keel-bench sandbox exec exec_rtt_ms=%.2f guest_spawn_ms=%.2f overhead_ms=%.2f"
                        + " target_overhead_ms=1 rounds=%d samples=%d accelerated=%s peer=host-process peer_exec_rtt_ms=%.2f"
                        + " speedup=%.2f%n",
                execMs, median(spawn), median(overhead), rounds, rtt.size(), accelerated, peerMs, peerMs / execMs);
    }

    private static void pool(SandboxProvider provider, Path workspace, double coldMs, boolean accelerated)
            throws InterruptedException {
        try (SandboxPool pool = SandboxPool.create(provider, SandboxSpec.builder("pool").workspace(workspace).build(), 1)) {
            List<Double> acquire = new ArrayList<>();
            List<Double> firstExec = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
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
                            + " peer=cold-start peer_ms=%.0f speedup=%.0f target_pool_acquire_ms=50%n",
                    median(acquire), median(firstExec), accelerated, coldMs, coldMs / median(acquire));
        }
    }

    private static double timed(CommandRunner runner, Command cmd) {
        long t0 = System.nanoTime();
        if (!runner.run(cmd).ok()) {
            throw new IllegalStateException(cmd + " failed in " + runner.describe());
        }
        return ms(t0);
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
