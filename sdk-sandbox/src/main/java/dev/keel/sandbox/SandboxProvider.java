package dev.keel.sandbox;

import java.util.List;
import java.util.Optional;

/**
 * Creates sandboxes with one backend and keeps track of the live ones. Closing the provider destroys
 * every sandbox it created. Thread-safe.
 */
public interface SandboxProvider extends AutoCloseable {

    /**
     * The backend's name, e.g. {@code qemu-microvm}.
     *
     * @return the backend's name
     */
    String backend();

    /**
     * Boots a sandbox. Everything that can be checked is checked before any process starts.
     *
     * @param spec the spec
     * @return the running sandbox; close it to destroy it
     * @throws InvalidSandboxSpecException   missing workspace, name already in use
     * @throws SandboxPrerequisiteException  qemu, kernel or agent not installed
     * @throws NoAcceleratorException        neither KVM nor TCG usable
     * @throws SandboxBootException          the VM did not come up (nothing is left running)
     */
    Sandbox create(SandboxSpec spec);

    /**
     * The live sandboxes, in creation order.
     *
     * @return the live sandboxes
     */
    List<Sandbox> list();

    /**
     * The live sandbox with this name.
     *
     * @param name the sandbox's name
     * @return the live sandbox with this name
     */
    Optional<Sandbox> find(String name);

    /** Destroys all sandboxes of this provider. Idempotent. */
    @Override
    void close();
}
