package dev.keel.samples;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Sandboxes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A microVM sandbox over a temporary project: commands run in the guest, the project directory is
 * shared at the same absolute path, nothing else of the host is visible. Needs scripts/setup/sandbox.sh.
 */
public final class SandboxSample {
    private SandboxSample() {}

    public static void main(String[] args) throws Exception {
        Path project = Files.createTempDirectory("keel-sample-project");
        Files.writeString(project.resolve("README.md"), "# demo project\n");
        try (SandboxProvider provider = Sandboxes.microVm();
             Sandbox box = provider.create(SandboxSpec.builder("sample").workspace(project).env("GREETING", "hi").build())) {
            System.out.println(box.info());

            ExecResult r = box.run(Command.shell("echo \"$GREETING from $(uname -r) in $(pwd)\"; ls"));
            System.out.println("exit " + r.exitCode() + ":\n" + r.stdout());

            box.run(Command.shell("echo 'written in the guest' > notes.txt"));
            System.out.println("host sees notes.txt: " + Files.readString(project.resolve("notes.txt")).trim());

            ExecResult outside = box.run(Command.shell("echo secret > /root/only-in-guest && cat /root/only-in-guest"));
            System.out.println("guest-only file, guest reads: " + outside.stdout().trim()
                    + "; host has /root/only-in-guest: " + Files.exists(Path.of("/root/only-in-guest")));

            System.out.println("host environment in guest: "
                    + box.run(Command.of("env")).stdout().replace('\n', ' '));

            ExecResult slow = box.run(Command.of("sleep", "60").withTimeout(Duration.ofSeconds(1)));
            System.out.println("timed out=" + slow.timedOut() + " exit=" + slow.exitCode());
        } finally {
            try (var files = Files.walk(project)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
