package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.sandbox.Accelerator;
import dev.keel.sandbox.NoAcceleratorException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class AcceleratorChoiceTest {
    static final String PVM = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae constant_tsc hypervisor\n";
    static final String VMX = "processor\t: 0\nflags\t\t: fpu vme vmx ept tsc\n";
    final AtomicInteger probes = new AtomicInteger();

    BooleanSupplier probe(boolean result) {
        return () -> {
            probes.incrementAndGet();
            return result;
        };
    }

    @Test
    void withoutVmxOrSvmTheSmokeBootIsSkippedAndTcgChosen() {
        assertThat(AcceleratorChoice.choose(Accelerator.AUTO, PVM, true, true, probe(true))).isEqualTo("tcg");
        assertThat(probes).hasValue(0);
    }

    @Test
    void kvmOnlyAfterASuccessfulSmokeBoot() {
        assertThat(AcceleratorChoice.choose(Accelerator.AUTO, VMX, true, true, probe(true))).isEqualTo("kvm");
        assertThat(AcceleratorChoice.choose(Accelerator.AUTO, VMX, true, true, probe(false))).isEqualTo("tcg");
        assertThat(AcceleratorChoice.choose(Accelerator.AUTO, VMX, false, true, probe(true))).isEqualTo("tcg");
        assertThat(probes).hasValue(2);
    }

    @Test
    void nothingUsableIsATypedError() {
        assertThatThrownBy(() -> AcceleratorChoice.choose(Accelerator.AUTO, PVM, true, false, probe(true)))
                .isInstanceOf(NoAcceleratorException.class).hasMessageContaining("TCG");
        assertThatThrownBy(() -> AcceleratorChoice.choose(Accelerator.AUTO, VMX, true, false, probe(false)))
                .isInstanceOf(NoAcceleratorException.class);
        assertThatThrownBy(() -> AcceleratorChoice.choose(Accelerator.TCG, VMX, true, false, probe(true)))
                .isInstanceOf(NoAcceleratorException.class);
        assertThatThrownBy(() -> AcceleratorChoice.choose(Accelerator.KVM, PVM, true, true, probe(true)))
                .isInstanceOf(NoAcceleratorException.class).hasMessageContaining("vmx");
        assertThatThrownBy(() -> AcceleratorChoice.choose(Accelerator.KVM, VMX, true, true, probe(false)))
                .isInstanceOf(NoAcceleratorException.class).hasMessageContaining("did not boot");
    }

    @Test
    void explicitTcgNeverProbes() {
        assertThat(AcceleratorChoice.choose(Accelerator.TCG, VMX, true, true, probe(true))).isEqualTo("tcg");
        assertThat(probes).hasValue(0);
    }
}
