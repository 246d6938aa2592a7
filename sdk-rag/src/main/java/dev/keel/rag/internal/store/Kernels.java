package dev.keel.rag.internal.store;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the fastest kernel the runtime offers: the Vector API kernel when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, the scalar kernel otherwise. The system property
 * {@code keel.rag.vectorApi=false} forces the scalar kernel.
 */
public final class Kernels {
    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    private Kernels() {
    }

    /** The best available kernel. */
    public static Kernel best() {
        if (!Boolean.parseBoolean(System.getProperty("keel.rag.vectorApi", "true"))) {
            return scalar();
        }
        Optional<Module> vectorApi = ModuleLayer.boot().findModule("jdk.incubator.vector");
        if (vectorApi.isEmpty()) {
            LOG.debug("jdk.incubator.vector not in the boot layer; using the scalar kernel "
                    + "(start the JVM with --add-modules jdk.incubator.vector for SIMD)");
            return scalar();
        }
        try {
            // Read the incubator module only when it is there: a 'requires static' in module-info would
            // make javac resolve it for every consumer of dev.keel.rag and warn them about incubating
            // modules they never asked for. (On the class path this is a no-op: it reads everything.)
            Kernels.class.getModule().addReads(vectorApi.get());
            Class<?> type = Class.forName("dev.keel.rag.internal.store.simd.VectorApiKernel");
            return (Kernel) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.debug("Vector API kernel unavailable, using the scalar kernel: {}", e.toString());
            return scalar();
        }
    }

    /** The plain Java kernel. */
    public static Kernel scalar() {
        return new ScalarKernel();
    }
}
