package dev.keel.sandbox;

import java.time.Duration;
import java.util.List;

/**
 * How a sandbox runs.
 *
 * @param name        the sandbox's name
 * @param backend     the backend, e.g. {@code qemu-microvm}
 * @param accelerator {@code kvm} or {@code tcg}
 * @param accelerated hardware virtualisation is used ({@code false} under TCG emulation)
 * @param isolation   isolation level, e.g. {@code microvm}: own kernel, no host filesystem but the workspaces
 * @param bootTime    from starting the VM to the guest agent's first answer (workspaces mounted)
 * @param restored    the VM was restored from a saved booted VM rather than booted
 * @param pid         the host process id of the VM
 * @param workspaces  the workspaces as mounted: their real paths, resolved when the sandbox was created (a given
 *                    path with a symlink or {@code ..} is followed once, here)
 */
public record SandboxInfo(String name, String backend, String accelerator, boolean accelerated, String isolation,
                          Duration bootTime, boolean restored, long pid, List<Workspace> workspaces) {
    /**
     * Copies the workspace list.
     *
     * @param name        the sandbox's name
     * @param backend     the backend
     * @param accelerator {@code kvm} or {@code tcg}
     * @param accelerated hardware virtualisation is used
     * @param isolation   isolation level
     * @param bootTime    from starting the VM to the guest agent's first answer
     * @param restored    restored from a saved booted VM rather than booted
     * @param pid         the host process id of the VM
     * @param workspaces  the workspaces as mounted, at their real paths
     */
    public SandboxInfo {
        workspaces = List.copyOf(workspaces);
    }

    @Override
    public String toString() {
        return name + ": " + backend + ", " + isolation + ", accelerated=" + accelerated + " (" + accelerator
                + "), " + (restored ? "restored" : "booted") + " in " + bootTime.toMillis() + " ms, pid " + pid
                + (workspaces.isEmpty() ? "" : ", workspaces " + workspaces);
    }
}
