package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModulesTest {
    @TempDir
    Path dir;

    private void module(String path, String depends) throws Exception {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, ("\u007fELF junk\0license=GPL\0depends=" + depends + "\0name=x\0").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void dependenciesComeFirstAndOnlyOnce() throws Exception {
        module("kernel/fs/9p/9p.ko", "netfs,9pnet,fscache");
        module("kernel/fs/netfs/netfs.ko", "");
        module("kernel/fs/fscache/fscache.ko", "netfs");
        module("kernel/net/9p/9pnet.ko", "");
        module("kernel/net/9p/9pnet_virtio.ko", "9pnet,virtio_ring,virtio");
        module("kernel/drivers/virtio/virtio.ko", "");
        module("kernel/drivers/virtio/virtio_ring.ko", "");
        List<String> order = KernelModules.in(dir).resolve(List.of("9pnet_virtio", "9p")).stream()
                .map(p -> p.getFileName().toString()).toList();
        assertThat(order).containsExactly("9pnet.ko", "virtio_ring.ko", "virtio.ko", "9pnet_virtio.ko", "netfs.ko",
                "fscache.ko", "9p.ko");
    }

    @Test
    void missingModuleAndCycleAreReported() throws Exception {
        module("kernel/a.ko", "b");
        module("kernel/b.ko", "a");
        module("kernel/c.ko", "nope");
        assertThatThrownBy(() -> KernelModules.in(dir).resolve(List.of("a"))).hasMessageContaining("cycle");
        assertThatThrownBy(() -> KernelModules.in(dir).resolve(List.of("c"))).hasMessageContaining("nope");
    }

    @Test
    void initLoadsModulesInOrderThenExecsTheAgent() {
        String init = Initramfs.initScript(List.of(Path.of("/m/virtio.ko"), Path.of("/m/9p.ko")));
        assertThat(init).startsWith("#!/bin/busybox sh\n");
        assertThat(init.indexOf("insmod /lib/modules/virtio.ko")).isLessThan(init.indexOf("insmod /lib/modules/9p.ko"));
        assertThat(init).endsWith("exec /sbin/keel-agent\n");
    }
}
