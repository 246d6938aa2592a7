package dev.keel.sandbox.internal;

import dev.keel.sandbox.Accelerator;
import dev.keel.sandbox.NoAcceleratorException;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Decides between KVM and TCG. A {@code /dev/kvm} that opens is no proof (on PVM hosts it opens, then a
 * stock kernel never boots), so KVM is chosen only when the CPU advertises VT-x/AMD-V, /dev/kvm is usable
 * and a real smoke boot under KVM succeeded. The (expensive) smoke boot is skipped when the CPU flags
 * already rule KVM out.
 */
final class AcceleratorChoice {
    private static final Pattern VIRT_FLAG = Pattern.compile("(?m)^flags\\s*:.*\\b(vmx|svm)\\b");

    private AcceleratorChoice() {}

    /** Whether /proc/cpuinfo text shows hardware virtualisation. */
    static boolean cpuHasVirtualization(String cpuinfo) {
        return VIRT_FLAG.matcher(cpuinfo).find();
    }

    /**
     * @param wanted       what the configuration asks for
     * @param cpuinfo      contents of /proc/cpuinfo ("" if unreadable)
     * @param kvmDevice    /dev/kvm exists and is read-writable
     * @param tcgAvailable qemu lists tcg among its accelerators
     * @param smokeBoot    boots a VM under KVM with a short timeout; true when it answered
     * @return "kvm" or "tcg"
     * @throws NoAcceleratorException when nothing usable is left
     */
    static String choose(Accelerator wanted, String cpuinfo, boolean kvmDevice, boolean tcgAvailable,
                         BooleanSupplier smokeBoot) {
        boolean kvmCandidate = kvmDevice && cpuHasVirtualization(cpuinfo);
        switch (wanted) {
            case TCG -> {
                if (!tcgAvailable) {
                    throw new NoAcceleratorException("TCG was requested but this qemu has no TCG accelerator");
                }
                return "tcg";
            }
            case KVM -> {
                if (!kvmCandidate) {
                    throw new NoAcceleratorException("KVM was requested but "
                            + (kvmDevice ? "the CPU shows no vmx/svm flag" : "/dev/kvm is missing or not accessible"));
                }
                if (!smokeBoot.getAsBoolean()) {
                    throw new NoAcceleratorException("KVM was requested but a test VM did not boot under KVM");
                }
                return "kvm";
            }
            default -> {
                if (kvmCandidate && smokeBoot.getAsBoolean()) {
                    return "kvm";
                }
                if (tcgAvailable) {
                    return "tcg";
                }
                throw new NoAcceleratorException("no usable accelerator: KVM "
                        + (kvmCandidate ? "did not boot a test VM" : "is not available") + " and qemu has no TCG");
            }
        }
    }
}
