package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save/restore: the first sandbox of a shape boots and is saved right after its agent answers; the next
 * ones are restored from that file, each with its own workspaces, a correct clock and its own randomness.
 * Uses a private cache directory, so the save path runs every time.
 */
class SnapshotRestoreTest {
    @TempDir
    Path tmp;

    private QemuProvider provider(Path cache) throws Exception {
        Path shared = MicroVmConfig.defaults().assetsDir();
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(Files.exists(shared.resolve(Assets.FILE)),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh); CI=true makes this a failure");
        }
        Files.createDirectories(cache);
        // the same installed assets (absolute paths), but a fresh initramfs/snapshot cache
        Files.copy(shared.resolve(Assets.FILE), cache.resolve(Assets.FILE));
        return new QemuProvider(MicroVmConfig.defaults().withAssetsDir(cache));
    }

    private static List<Path> snapshots(Path cache) throws Exception {
        Path dir = cache.resolve("snapshots");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".state")).toList();
        }
    }

    private static String random(Sandbox box) {
        ExecResult r = box.run(Command.shell("head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'"));
        assertThat(r.stdout()).hasSize(64);
        return r.stdout();
    }

    @Test
    void laterSandboxesAreRestoredFreshWithTheirOwnWorkspacesClockAndRandomness() throws Exception {
        Path cache = tmp.resolve("cache");
        Path ws1 = Files.createDirectories(tmp.resolve("one"));
        Path ws2 = Files.createDirectories(tmp.resolve("two"));
        Path ws3 = Files.createDirectories(tmp.resolve("three"));
        Files.writeString(ws2.resolve("in-two.txt"), "two");
        try (QemuProvider provider = provider(cache)) {
            Sandbox first = provider.create(SandboxSpec.builder("first").workspace(ws1).build());
            assertThat(first.info().restored()).isFalse();
            assertThat(snapshots(cache)).hasSize(1);
            Path snapshot = snapshots(cache).get(0);
            assertThat(Files.getPosixFilePermissions(snapshot)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            // the booted VM went on after being saved
            first.run(Command.shell("echo first-state > /root/state && echo one > from-first.txt"));
            assertThat(Files.readString(ws1.resolve("from-first.txt"))).isEqualTo("one\n");

            Sandbox second = provider.create(SandboxSpec.builder("second").workspace(ws2).build());
            Sandbox third = provider.create(SandboxSpec.builder("third").workspace(ws3)
                    .network(NetworkPolicy.denyAll().allow("allowed.invalid")).build());
            assertThat(second.info().restored()).isTrue();
            assertThat(third.info().restored()).isTrue();
            assertThat(second.info().pid()).isNotEqualTo(third.info().pid());

            // nothing of the first sandbox: the snapshot was taken before it mounted or ran anything
            assertThat(second.exec("cat", "/root/state").exitCode()).isNotZero();
            assertThat(second.exec("ls", ws1.toString()).exitCode()).isNotZero();
            // its own workspace, both ways, at the same path
            assertThat(second.exec("cat", ws2.resolve("in-two.txt").toString()).stdout()).isEqualTo("two");
            second.run(Command.shell("echo from-second > back.txt"));
            assertThat(Files.readString(ws2.resolve("back.txt"))).isEqualTo("from-second\n");
            assertThat(Files.getOwner(ws2.resolve("back.txt")).getName()).isEqualTo(System.getProperty("user.name"));

            // the host's clock, not the snapshot's
            long guestNow = Long.parseLong(second.exec("date", "+%s").stdout().trim());
            assertThat(guestNow).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));

            // two restored guests do not share their random numbers (the CRNG was reseeded in each)
            assertThat(random(second)).isNotEqualTo(random(third));

            // the network of a restored sandbox goes through its own proxy
            ExecResult denied = third.run(Command.of("wget", "-O", "-", "http://denied.invalid/"));
            assertThat(denied.exitCode()).isNotZero();
            assertThat(denied.stderr()).as(denied.toString()).contains("403");
            assertThat(third.networkLog()).anySatisfy(e -> {
                assertThat(e.host()).isEqualTo("denied.invalid");
                assertThat(e.allowed()).isFalse();
            });
        }
    }

    @Test
    void aDamagedSnapshotIsReplacedByABoot() throws Exception {
        Path cache = tmp.resolve("cache");
        try (QemuProvider provider = provider(cache)) {
            provider.create(SandboxSpec.builder("saver").build()).close();
            Path snapshot = snapshots(cache).get(0);
            long size = Files.size(snapshot);
            try (var ch = java.nio.channels.FileChannel.open(snapshot, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(size / 3);
            }
            Sandbox box = provider.create(SandboxSpec.builder("after-damage").build());
            assertThat(box.info().restored()).isFalse();
            assertThat(box.exec("echo", "booted").stdout()).isEqualTo("booted\n");
            assertThat(Files.size(snapshot)).isGreaterThan(size / 3);
            Sandbox restored = provider.create(SandboxSpec.builder("restored-again").build());
            assertThat(restored.info().restored()).isTrue();
            assertThat(restored.exec("echo", "restored").stdout()).isEqualTo("restored\n");
        }
    }

    @Test
    void withSnapshotsOffEverySandboxBoots() throws Exception {
        Path cache = tmp.resolve("cache");
        provider(cache).close();
        try (QemuProvider provider = new QemuProvider(MicroVmConfig.defaults().withAssetsDir(cache).withSnapshots(false))) {
            Sandbox box = provider.create(SandboxSpec.builder("cold").build());
            assertThat(box.info().restored()).isFalse();
            assertThat(snapshots(cache)).isEmpty();
        }
    }
}
