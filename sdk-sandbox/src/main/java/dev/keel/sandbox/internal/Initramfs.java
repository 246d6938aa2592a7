package dev.keel.sandbox.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds the guest's initramfs: busybox (with its applet links), the guest agent, the kernel modules
 * for virtio-mmio, virtio-serial and 9p (dependencies first) and an {@code /init} that loads them and
 * hands over to the agent. The archive is cached under the cache directory by the SHA-256 of everything
 * that goes into it, so a changed agent or kernel gives a new file and an unchanged one is reused.
 */
public final class Initramfs {
    /** Modules the guest needs; their dependencies are added automatically. */
    public static final List<String> MODULES = List.of("virtio_mmio", "virtio_console", "9pnet_virtio", "9p", "overlay");
    private static final String FORMAT = "keel-initramfs-2";
    /** Share of guest memory the root file system may fill (the agent uses the same for a Debian root's overlay). */
    static final String ROOT_SHARE = "25%";
    /** Share of guest memory /tmp may fill. */
    static final String TMP_SHARE = "20%";
    /** What /dev (devtmpfs, writable by guest root) may hold. */
    static final String DEV_SIZE = "4m";

    private Initramfs() {}

    /** Returns the cached initramfs for these assets, building it on first use. */
    public static Path build(Assets assets, Path cacheDir) {
        try {
            List<Path> modules = KernelModules.in(assets.modules()).resolve(MODULES);
            byte[] busybox = Files.readAllBytes(assets.busybox());
            byte[] agent = Files.readAllBytes(assets.agent());
            String init = initScript(modules);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(FORMAT.getBytes(StandardCharsets.UTF_8));
            sha.update(busybox);
            sha.update(agent);
            sha.update(init.getBytes(StandardCharsets.UTF_8));
            for (Path m : modules) {
                sha.update(m.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(m));
            }
            String key = HexFormat.of().formatHex(sha.digest()).substring(0, 24);
            Files.createDirectories(cacheDir);
            Path target = cacheDir.resolve("initramfs-" + key + ".cpio");
            if (Files.isRegularFile(target)) {
                return target;
            }
            Path tmp = Files.createTempFile(cacheDir, "initramfs-", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp); CpioWriter cpio = new CpioWriter(out)) {
                    write(cpio, assets.busybox(), busybox, agent, modules, init);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the sandbox initramfs in " + cacheDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(CpioWriter cpio, Path busyboxPath, byte[] busybox, byte[] agent, List<Path> modules,
                              String init) throws IOException {
        for (String dir : List.of("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "etc",
                "root", "lib", "lib/modules", "run", "var")) {
            cpio.directory(dir, 0755);
        }
        cpio.directory("tmp", 01777);
        cpio.file("bin/busybox", 0755, busybox);
        for (String applet : applets(busyboxPath)) {
            if (!applet.equals("bin/busybox") && !applet.equals("init") && !applet.equals("sbin/init")) {
                cpio.symlink(applet, "/bin/busybox");
            }
        }
        cpio.file("sbin/keel-agent", 0755, agent);
        for (Path m : modules) {
            cpio.file("lib/modules/" + m.getFileName(), 0644, Files.readAllBytes(m));
        }
        cpio.file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        cpio.file("etc/group", 0644, "root:x:0:\n".getBytes(StandardCharsets.UTF_8));
        cpio.file("etc/hostname", 0644, "sandbox\n".getBytes(StandardCharsets.UTF_8));
        cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
    }

    static String initScript(List<Path> modules) {
        StringBuilder s = new StringBuilder("#!/bin/busybox sh\n")
                .append("# Keel sandbox init: mount the basics, load modules, hand over to the agent.\n")
                // every writable file system lives in guest memory: each gets a size, and together they stay
                // well below it, so filling them ends in ENOSPC, never in a kernel out of memory
                .append("/bin/busybox mount -o remount,size=" + ROOT_SHARE + " /\n")
                .append("/bin/busybox mount -t proc proc /proc\n")
                .append("/bin/busybox mount -t sysfs sys /sys\n")
                .append("/bin/busybox mount -t devtmpfs -o size=" + DEV_SIZE + " dev /dev\n")
                .append("/bin/busybox mount -o remount,size=" + DEV_SIZE + " /dev\n")
                .append("/bin/busybox mount -t tmpfs -o mode=1777,nosuid,nodev,size=" + TMP_SHARE + " tmp /tmp\n")
                .append("/bin/busybox mkdir -p /dev/pts\n")
                .append("/bin/busybox mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts\n");
        for (Path m : modules) {
            s.append("/bin/busybox insmod /lib/modules/").append(m.getFileName()).append('\n');
        }
        s.append("/bin/busybox hostname sandbox\n");
        s.append("exec /sbin/keel-agent\n");
        return s.toString();
    }

    /** Applet paths (relative, e.g. {@code bin/sh}) from {@code busybox --list-full}. */
    private static Set<String> applets(Path busybox) throws IOException {
        Process p = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("busybox --list-full failed: " + out.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Set<String> result = new LinkedHashSet<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            String a = line.trim();
            if (!a.isEmpty() && !a.startsWith("/") && !a.contains("..")) {
                result.add(a);
            }
        }
        return new LinkedHashSet<>(new ArrayList<>(result));
    }
}
