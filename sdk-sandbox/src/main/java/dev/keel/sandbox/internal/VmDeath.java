package dev.keel.sandbox.internal;

import java.util.List;

/** Why a VM that was not closed stopped: from the guest console (kernel panic) or from how qemu exited. */
final class VmDeath {
    private static final String PANIC = "Kernel panic - not syncing:";

    private VmDeath() {}

    /**
     * @param console    the guest console's output
     * @param qemuOutput qemu's own output
     * @param exit       qemu's exit value as {@link Process#exitValue()} reports it (128 + signal when killed), or
     *                   -1 while it still runs
     */
    static String describe(String console, String qemuOutput, int exit) {
        int panic = console.lastIndexOf(PANIC);
        if (panic >= 0) {
            String line = console.substring(panic + PANIC.length()).lines().findFirst().orElse("").strip();
            return "guest kernel panic: " + (line.isEmpty() ? "(no message)" : line);
        }
        if (exit > 128 && exit < 128 + 65) {
            int signal = exit - 128;
            String what = switch (signal) {
                case 9 -> "qemu was killed by SIGKILL (the host's out-of-memory killer, or kill -9)";
                case 11 -> "qemu crashed (SIGSEGV)";
                case 6 -> "qemu aborted (SIGABRT)";
                case 7 -> "qemu crashed (SIGBUS)";
                case 15 -> "qemu was terminated (SIGTERM)";
                default -> "qemu was killed by signal " + signal;
            };
            return what + lastLine(qemuOutput);
        }
        if (exit == -1) {
            return "the guest agent's connection closed while qemu kept running" + lastLine(console);
        }
        if (exit == 0) {
            return "the guest shut down or rebooted (qemu exited normally)" + lastLine(console);
        }
        return "qemu exited with status " + exit + lastLine(qemuOutput);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : "; last output: " + lines.get(lines.size() - 1);
    }
}
